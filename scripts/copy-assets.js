#!/usr/bin/env node
// After tsc: copy the non-TypeScript files the code reads at run time into dist/: the PowerShell runtime
// (primitives, engine, revert logic) and the lab's primitive template (rdp-medic lab --runtime pwsh).
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './prerequisites.js';

cpSync(join(repoRoot, 'src', 'host', 'runtime'), join(repoRoot, 'dist', 'host', 'runtime'), { recursive: true });
cpSync(join(repoRoot, 'src', 'lab', 'runtime', 'lab-primitive.ps1'), join(repoRoot, 'dist', 'lab', 'runtime', 'lab-primitive.ps1'));
