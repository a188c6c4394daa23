#!/usr/bin/env node
// Runs every test/**/*.test.ts with Node's own test runner (through tsx).
// Node 20's --test does not expand globs, so the files are listed here.
// Usage: npm test [-- path-or-substring ...]  (filters the file list)
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawn } from 'node:child_process';
import { ensureDebianPackages, ensureNodeModules, repoRoot, TEST_PACKAGES } from './prerequisites.js';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

ensureNodeModules();
ensureDebianPackages(TEST_PACKAGES);

const filters = process.argv.slice(2);
const files = walk(join(repoRoot, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => relative(repoRoot, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}
const args = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files];
const child = spawn(process.execPath, args, { stdio: 'inherit', cwd: repoRoot });
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
