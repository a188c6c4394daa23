#!/usr/bin/env node
// Runs test/**/*.test.ts with Node's own test runner (through tsx). Node 20's --test does not expand
// globs, so the files are listed here.
//   npm test [-- path-or-substring ...]   everything but test/runtime (no PowerShell needed)
//   npm run test:runtime [-- ...]         test/runtime: the real runtime under pwsh (PowerShell 7),
//                                         ending with the line "runtime conformance: ..."
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { spawn } from 'node:child_process';
import { ensureDebianPackages, ensureKerberosAddon, ensureNodeModules, ensurePwsh, repoRoot, TEST_PACKAGES } from './prerequisites.js';

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

const args = process.argv.slice(2);
const runtime = args.includes('--runtime');
const filters = args.filter((a) => a !== '--runtime');

// Debian packages first: libkrb5-dev must be there when npm builds the optional kerberos addon.
ensureDebianPackages(TEST_PACKAGES);
ensureNodeModules();
ensureKerberosAddon();
const env = { ...process.env };
if (runtime) env.PWSH = ensurePwsh();

const runtimeDir = join('test', 'runtime') + sep;
const files = walk(join(repoRoot, 'test'))
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => relative(repoRoot, f))
  .filter((f) => f.startsWith(runtimeDir) === runtime)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`no test files match ${filters.join(' ')}`);
  process.exit(1);
}

const coverageDir = runtime ? mkdtempSync(join(tmpdir(), 'rdp-medic-conformance-')) : undefined;
if (coverageDir) env.RUNTIME_CONFORMANCE_DIR = coverageDir;

const nodeArgs = ['--import', 'tsx', '--test', '--test-reporter=spec', `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`, ...files];
const child = spawn(process.execPath, nodeArgs, { stdio: 'inherit', cwd: repoRoot, env });
child.on('exit', (code, signal) => {
  if (coverageDir) {
    console.log(conformanceLine(coverageDir));
    rmSync(coverageDir, { recursive: true, force: true });
  }
  process.exit(code ?? (signal ? 1 : 0));
});

/** "runtime conformance: N/M operations, S scenarios, W write preconditions", from what the tests recorded. */
function conformanceLine(dir) {
  const ops = new Set();
  const scenarios = new Set();
  const preconditions = new Set();
  for (const f of readdirSync(dir)) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n').filter(Boolean)) {
      const c = JSON.parse(line);
      for (const x of c.ops ?? []) ops.add(x);
      for (const x of c.scenarios ?? []) scenarios.add(x);
      for (const x of c.preconditions ?? []) preconditions.add(x);
    }
  }
  const declared = readFileSync(join(repoRoot, 'src', 'host', 'operations.ts'), 'utf8').match(/op: z\.literal\('[\w.]+'\)/g)?.length ?? 0;
  return `runtime conformance: ${ops.size}/${declared} operations, ${scenarios.size} scenarios, ${preconditions.size} write preconditions`;
}
