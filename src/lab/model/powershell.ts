// The WsmanHost.powershell seam: what powershell.exe does with a decoded -EncodedCommand on the
// simulated host. For the rdp-medic bootstrap it checks stdin as the real bootstrap does (header,
// length, SHA-256), then runs the plan in one of two ways:
//   'model' (default): the lab's TypeScript operations execute it against the model;
//   'pwsh': the real bootstrap and engine run under PowerShell 7 with the lab's primitives in place
//           of the Windows ones (lab/runtime), reading and writing the same model.
// Either way the answer is framed as the engine frames it. Bootstrap failures are a FAILURE frame,
// stderr and exit 2 (exit 3 for Constrained Language Mode), as on a host. Any other script gets
// PowerShell's "term not recognized" error, bar `Write-Output "text"`, `exit N` and `hostname`.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { BOOTSTRAP_MARKER, CLM_MESSAGE, STDIN_HEADER, buildStdin, frame } from '../../host/bootstrap.ts';
import { Plan, WRITE_OPS as WRITE_OP_NAMES, type PlanResult } from '../../host/operations.ts';
import { parsePlanResult } from '../../host/result.ts';
import { RUNTIME_HEADER_RE, RUNTIME_TEXT } from '../../host/runtime.ts';
import type { PrimitiveServer } from '../runtime/primitives.ts';
import { LAB_RUNTIME_TEXT, runBootstrapUnderPwsh } from '../runtime/pwsh.ts';
import type { LabProcess, ProcessResult } from '../types.ts';
import { executePlanTimed, LAB_RUNTIME_VERSION } from './execute-plan.ts';
import type { HostModel } from './host-model.ts';

/** How the lab runs a plan: its TypeScript model (default), or the real engine under pwsh. */
export type LabRuntime = { kind: 'model' } | { kind: 'pwsh'; server: PrimitiveServer };

export interface PowerShellOptions {
  /** The lab clock (default: wall clock). */
  now?: () => Date;
  /** Called before a plan runs (e.g. to run due revert tasks first). */
  beforePlan?: (plan: Plan) => void;
  /** Called after a plan ran, with its result. */
  afterPlan?: (result: PlanResult, plan: Plan) => void;
  runtime?: LabRuntime;
  /**
   * Modelled cost of starting powershell.exe and compiling the runtime, added before a plan answers
   * (default 0; the benches set it: see docs/decisions/0004-runtime-engine-and-primitives.md).
   */
  startupMs?: number;
  /**
   * A test's hold on a plan (SimulatedHost.planGate): awaited before the plan runs ('drop': it never
   * runs) and after it ran, before its answer goes back (model runtime only). Tests stop a worker at
   * an exact step this way, waiting on the event instead of the clock.
   */
  gate?: (plan: Plan, stage: 'before' | 'after') => Promise<PlanGateAnswer> | PlanGateAnswer;
}

export type PlanGateAnswer = 'go' | 'drop' | void;

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const done = (stdout: string, stderr: string, exitCode: number): ProcessResult => ({ stdout: utf8(stdout), stderr: utf8(stderr), exitCode });
const bootstrapFailure = (message: string): ProcessResult =>
  done(frame('FAILURE', `rdp-medic bootstrap: ${message}`), `rdp-medic bootstrap: ${message}\r\n`, 2);

class BootstrapFailure extends Error {}

/** The checks the bootstrap makes on stdin; the runtime text and the plan JSON. */
export function readBootstrapStdin(stdin: Buffer): { runtime: string; planJson: string } {
  const all = stdin.toString('ascii');
  const nl = all.indexOf('\n');
  if (nl < 0) throw new BootstrapFailure('stdin ended before its header line: the payload never arrived (was stdin sent in pipe mode?)');
  const header = all.slice(0, nl).trim().split(' ');
  if (`${header[0]} ${header[1]}` !== STDIN_HEADER || header.length !== 4) throw new BootstrapFailure(`stdin does not start with the header ${STDIN_HEADER}: ${header[0] ?? ''}`);
  const payload = all.slice(nl + 1).replace(/\s/g, '');
  if (payload.length !== Number(header[3])) throw new BootstrapFailure(`stdin was cut short or padded: ${payload.length} of ${header[3] ?? '?'} characters arrived`);
  if (createHash('sha256').update(payload, 'ascii').digest('hex') !== header[2]) throw new BootstrapFailure('stdin was corrupted on the way: its SHA-256 does not match the header');
  const [runtimeB64 = '', planB64 = ''] = payload.split('.');
  return { runtime: unzipRuntime(runtimeB64), planJson: Buffer.from(planB64, 'base64').toString('utf8') };
}

// Every host of a lab receives the same runtime: unzipped once, not once per plan.
const unzipped = new Map<string, string>();
function unzipRuntime(runtimeB64: string): string {
  const known = unzipped.get(runtimeB64);
  if (known !== undefined) return known;
  let runtime: string;
  try {
    runtime = gunzipSync(Buffer.from(runtimeB64, 'base64')).toString('utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new BootstrapFailure(`the runtime is not gzip: ${(e as Error).message}`);
  }
  if (unzipped.size >= 8) unzipped.clear();
  unzipped.set(runtimeB64, runtime);
  return runtime;
}

function parsePlan(planJson: string): Plan {
  let json: unknown;
  try {
    json = JSON.parse(planJson);
  } catch (e) {
    throw new BootstrapFailure(`plan refused: invalid JSON: ${(e as Error).message}`);
  }
  const parsed = Plan.safeParse(json);
  if (!parsed.success) throw new BootstrapFailure(`plan refused: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const sleep = (ms: number): Promise<void> => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

/** The model answers: the engine's frames, from the TypeScript operations. */
async function runOnModel(model: HostModel, plan: Plan, opts: PowerShellOptions): Promise<ProcessResult> {
  const { result, hungSeconds: waitedSeconds } = executePlanTimed(model, plan, opts.now?.() ?? new Date());
  // A hung provider costs the engine its CIM timeout for real: so does the model.
  await sleep(waitedSeconds * 1000);
  opts.afterPlan?.(result, plan);
  const begin = { runtime: result.runtime, host: result.host, startedAt: result.startedAt, check: result.check, count: plan.ops.length };
  return done(frame('BEGIN', begin) + result.results.map((r) => frame('OP', r)).join('') + frame('END', { elapsedMs: result.elapsedMs }), '', 0);
}

/** The real engine answers, under pwsh, with the lab's primitives; the plan JSON is the one the client sent. */
type Stream = (name: 'stdout' | 'stderr', data: Buffer) => void;

async function runUnderPwsh(model: HostModel, plan: Plan, planJson: string, server: PrimitiveServer, opts: PowerShellOptions, stream?: Stream, signal?: AbortSignal): Promise<ProcessResult> {
  const registration = server.register({ model, now: opts.now ?? (() => new Date()), revertScripts: new Map(), revertResults: new Map() });
  try {
    const stdin = buildStdin(JSON.parse(planJson) as Plan, LAB_RUNTIME_TEXT);
    const run = await runBootstrapUnderPwsh(stdin, { primitivesUrl: server.url, token: registration.token, ...(stream ? { onOutput: stream } : {}), ...(signal ? { signal } : {}) });
    try {
      opts.afterPlan?.(parsePlanResult(run.stdout.toString('utf8'), plan, { stderr: run.stderr.toString('utf8'), exitCode: run.exitCode }), plan);
    } catch {
      // The client parses the same output and reports what is wrong with it.
    }
    // What was streamed was handed over already.
    return stream ? { stdout: Buffer.alloc(0), stderr: Buffer.alloc(0), exitCode: run.exitCode } : run;
  } finally {
    registration.unregister();
  }
}

async function runBootstrap(model: HostModel, stdin: Buffer, opts: PowerShellOptions, stream?: Stream, signal?: AbortSignal): Promise<ProcessResult> {
  await sleep(opts.startupMs ?? 0);
  if (model.languageMode === 'ConstrainedLanguage') return done(frame('FAILURE', CLM_MESSAGE), '', 3);
  let plan: Plan;
  let planJson: string;
  try {
    const read = readBootstrapStdin(stdin);
    const header = RUNTIME_HEADER_RE.exec(read.runtime.split('\n', 1)[0] ?? '');
    if (!header) throw new BootstrapFailure('the runtime text does not start with "# rdp-medic-runtime <version>"');
    if (header[1] !== LAB_RUNTIME_VERSION) {
      // The engine would answer with its own version in BEGIN; the client compares it.
      return done(frame('BEGIN', { runtime: header[1], host: model.computerName, startedAt: new Date().toISOString(), check: false, count: 0 }) + frame('END', { elapsedMs: 0 }), '', 0);
    }
    planJson = read.planJson;
    plan = parsePlan(planJson);
    if (opts.runtime?.kind === 'pwsh' && read.runtime !== RUNTIME_TEXT) throw new BootstrapFailure('the runtime sent is not the one this lab ships: rebuild or restart the lab');
  } catch (e) {
    if (e instanceof BootstrapFailure) return bootstrapFailure(e.message);
    throw e;
  }
  if ((await opts.gate?.(plan, 'before')) === 'drop') return done('', 'rdp-medic lab: a test dropped this plan before it ran\r\n', 1);
  opts.beforePlan?.(plan);
  if (opts.runtime?.kind === 'pwsh') return runUnderPwsh(model, plan, planJson, opts.runtime.server, opts, stream, signal);
  if (plan.mode === 'read') {
    const write = plan.ops.find((o) => WRITE_OP_NAMES.has(o.op));
    if (write) return bootstrapFailure(`plan refused: write operation ${write.op} (${write.id}) in a read plan`);
  }
  const answer = await runOnModel(model, plan, opts);
  await opts.gate?.(plan, 'after');
  return answer;
}

function notRecognized(term: string): string {
  const tilde = '~'.repeat(Math.max(1, term.length));
  return [
    `${term} : The term '${term}' is not recognized as the name of a cmdlet, function, script file, or operable program. Check the spelling of the name, or if a path was included, verify that the path is correct and try again.`,
    'At line:1 char:1',
    `+ ${term}`,
    `+ ${tilde}`,
    `    + CategoryInfo          : ObjectNotFound: (${term}:String) [], CommandNotFoundException`,
    '    + FullyQualifiedErrorId : CommandNotFoundException',
    '',
  ].join('\r\n');
}

/** A tiny interpreter for scripts other than the bootstrap. */
function runOther(model: HostModel, script: string): ProcessResult {
  let stdout = '';
  for (const raw of script.split(/\r?\n|;/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const exit = /^exit(?:\s+(-?\d+))?$/i.exec(line);
    if (exit) return done(stdout, '', Number(exit[1] ?? 0));
    const echo = /^(?:Write-Output|echo)\s+(?:"([^"]*)"|'([^']*)'|(\S+))$/i.exec(line);
    if (echo) {
      stdout += `${echo[1] ?? echo[2] ?? echo[3] ?? ''}\r\n`;
      continue;
    }
    if (/^(hostname|\$env:COMPUTERNAME)$/i.test(line)) {
      stdout += `${model.computerName}\r\n`;
      continue;
    }
    const term = line.split(/\s+/)[0] ?? line;
    return done(stdout, notRecognized(term), 1);
  }
  return done(stdout, '', 0);
}

export function createPowerShell(model: HostModel, opts: PowerShellOptions = {}): (script: string) => LabProcess {
  return (script: string): LabProcess => {
    const isBootstrap = script.replace(/^\uFEFF/, '').trimStart().startsWith(BOOTSTRAP_MARKER);
    return {
      readsStdin: isBootstrap,
      run: (stdin, stream, signal) => (isBootstrap ? runBootstrap(model, stdin, opts, stream, signal) : Promise.resolve(runOther(model, script))),
    };
  };
}
