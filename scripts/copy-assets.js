#!/usr/bin/env node
// After tsc: copy the non-TypeScript files the code reads at run time (the PowerShell runtime) into dist/.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './prerequisites.js';

cpSync(join(repoRoot, 'src', 'host', 'runtime'), join(repoRoot, 'dist', 'host', 'runtime'), { recursive: true });
