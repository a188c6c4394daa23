#!/usr/bin/env node
// After tsc: copy the non-TypeScript files the code reads at run time into dist/: the PowerShell runtime
// (primitives, engine, revert logic), the lab's primitive template (rdp-medic lab --runtime pwsh) and
// the lab's built-in scenarios (data, read next to the compiled registry).
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './prerequisites.js';

cpSync(join(repoRoot, 'src', 'host', 'runtime'), join(repoRoot, 'dist', 'host', 'runtime'), { recursive: true });
cpSync(join(repoRoot, 'src', 'lab', 'runtime', 'lab-primitive.ps1'), join(repoRoot, 'dist', 'lab', 'runtime', 'lab-primitive.ps1'));
cpSync(join(repoRoot, 'src', 'lab', 'scenarios', 'built-in.yaml'), join(repoRoot, 'dist', 'lab', 'scenarios', 'built-in.yaml'));
