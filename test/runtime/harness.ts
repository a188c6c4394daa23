// The runtime suite's harness: the real bootstrap and engine under pwsh (lab primitives over a
// host model) beside the lab's TypeScript operations over a copy of the same model, and what is
// compared between them. Each test file records what it covered for the closing conformance line.
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { buildStdin } from '../../src/host/bootstrap.ts';
import type { Plan, PlanResult } from '../../src/host/operations.ts';
import { parsePlanResult } from '../../src/host/result.ts';
import type { HostModel } from '../../src/lab/model/index.ts';
import { executePlan } from '../../src/lab/model/index.ts';
import { startPrimitiveServer, type PrimitiveHost, type PrimitiveServer } from '../../src/lab/runtime/primitives.ts';
import { LAB_RUNTIME_TEXT, runBootstrapUnderPwsh, runPwshProcess } from '../../src/lab/runtime/pwsh.ts';
import type { ProcessResult } from '../../src/lab/types.ts';

let server: Promise<PrimitiveServer> | undefined;
// Registered when a test file imports the harness, so it runs after the whole file.
after(async () => (await server)?.close());

/** One primitive server per test file, closed after it. */
export function primitiveServer(): Promise<PrimitiveServer> {
  server ??= startPrimitiveServer();
  return server;
}

export interface PwshOptions {
  now?: Date;
  stdin?: Buffer;
  stdinPieceBytes?: number;
  host?: Partial<PrimitiveHost>;
}

/** Runs a plan under pwsh against `model` (changed in place, as a host would be); the raw process result. */
export async function runPwshRaw(model: HostModel, plan: Plan, opts: PwshOptions = {}): Promise<ProcessResult> {
  const s = await primitiveServer();
  const now = opts.now ?? new Date();
  const reg = s.register({ model, now: () => now, revertScripts: new Map(), revertResults: new Map(), ...opts.host });
  try {
    return await runBootstrapUnderPwsh(opts.stdin ?? buildStdin(plan, LAB_RUNTIME_TEXT), { primitivesUrl: s.url, token: reg.token, ...(opts.stdinPieceBytes ? { stdinPieceBytes: opts.stdinPieceBytes } : {}) });
  } finally {
    reg.unregister();
  }
}

/** Runs a plan under pwsh and parses it as the client does. */
export async function runPwsh(model: HostModel, plan: Plan, opts: PwshOptions = {}): Promise<PlanResult> {
  const run = await runPwshRaw(model, plan, opts);
  return parsePlanResult(run.stdout.toString('utf8'), plan, { stderr: run.stderr.toString('utf8'), exitCode: run.exitCode });
}

export const runModel = (model: HostModel, plan: Plan, now = new Date()): PlanResult => executePlan(model, plan, now);

/**
 * What must agree: per op, ok, value, previous, and for errors the code and `current` (messages are
 * free text: Windows' words on a host, the lab's in TypeScript). Clock readings are dropped.
 */
export function comparable(result: PlanResult): unknown {
  return result.results.map((r) => {
    if (!r.ok) return { id: r.id, ok: false, code: r.error.code, ...(r.error.current !== undefined ? { current: r.error.current } : {}) };
    const value = r.value && typeof r.value === 'object' && 'utcNow' in r.value ? { ...(r.value as object), utcNow: '(clock)' } : r.value;
    return { id: r.id, ok: true, value, ...(r.previous !== undefined ? { previous: r.previous } : {}) };
  });
}

// ---------- coverage, for the line `npm run test:runtime` ends with ----------

export interface Coverage {
  ops?: string[];
  scenarios?: string[];
  preconditions?: string[];
}

/** Records what a comparison covered (RUNTIME_CONFORMANCE_DIR is set by scripts/run-tests.js). */
export function recordCoverage(c: Coverage): void {
  const dir = process.env['RUNTIME_CONFORMANCE_DIR'];
  if (dir) appendFileSync(join(dir, `${process.pid}.jsonl`), `${JSON.stringify(c)}\n`);
}

/** Records the ops of a plan whose pwsh result agreed with the lab's. */
export function recordPlan(plan: Plan, scenario?: string): void {
  recordCoverage({ ops: plan.ops.map((o) => o.op), ...(scenario ? { scenarios: [scenario] } : {}) });
}

/** Runs a PowerShell script file under pwsh with the lab primitives of `model` (e.g. a registered revert script). */
export async function runPwshFile(model: HostModel, script: string, args: string[], now = new Date()): Promise<ProcessResult> {
  const s = await primitiveServer();
  const reg = s.register({ model, now: () => now, revertScripts: new Map(), revertResults: new Map() });
  const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-ps-'));
  const file = join(dir, 'script.ps1');
  writeFileSync(file, script);
  try {
    return await runPwshProcess(['-NoProfile', '-NonInteractive', '-File', file, ...args], { env: { RDPMEDIC_LAB_PRIMITIVES: s.url, RDPMEDIC_LAB_TOKEN: reg.token } });
  } finally {
    reg.unregister();
    rmSync(dir, { recursive: true, force: true });
  }
}
