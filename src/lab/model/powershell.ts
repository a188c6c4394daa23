// The WsmanHost.powershell seam: what powershell.exe does with a decoded -EncodedCommand on the
// simulated host. The rdp-medic bootstrap reads two base64 lines from stdin (runtime text, plan JSON);
// the lab checks the runtime header names the version it implements, validates the plan with the
// contract's zod schema, executes it against the model and prints the result between the markers.
// Bootstrap failures go to stderr with exit code 2, as the real bootstrap's catch block does.
// Any other script gets PowerShell's "term not recognized" error, bar two conveniences
// (`Write-Output "text"`, `exit N`) and `hostname`.
import { BOOTSTRAP_MARKER, RESULT_BEGIN, RESULT_END } from '../../host/bootstrap.ts';
import { gunzipSync } from 'node:zlib';
import { Plan, type PlanResult } from '../../host/operations.ts';
import { RUNTIME_HEADER_RE } from '../../host/runtime.ts';
import type { LabProcess, ProcessResult } from '../types.ts';
import { executePlan, LAB_RUNTIME_VERSION } from './execute-plan.ts';
import type { HostModel } from './host-model.ts';

export interface PowerShellOptions {
  /** The lab clock (default: wall clock). */
  now?: () => Date;
  /** Called before a plan runs (e.g. to run due revert tasks first). */
  beforePlan?: (plan: Plan) => void;
  /** Called after a plan ran, with its result. */
  afterPlan?: (result: PlanResult, plan: Plan) => void;
}

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');
const done = (stdout: string, stderr: string, exitCode: number): ProcessResult => ({ stdout: utf8(stdout), stderr: utf8(stderr), exitCode });
const bootstrapFailure = (message: string): ProcessResult => done('', `rdp-medic bootstrap: ${message}\r\n`, 2);

function decodeBase64(line: string, what: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(line)) throw new Error(`${what} is not base64`);
  return Buffer.from(line, 'base64');
}

const decodeLine = (line: string, what: string): string => decodeBase64(line, what).toString('utf8');

/** The runtime line is gzip, as the bootstrap's GZipStream reads it. */
function decodeRuntime(line: string): string {
  try {
    return gunzipSync(decodeBase64(line, 'the runtime line')).toString('utf8');
  } catch (e) {
    throw new Error(`the runtime line is not gzip: ${(e as Error).message}`);
  }
}

function runBootstrap(model: HostModel, stdin: Buffer, opts: PowerShellOptions): ProcessResult {
  const lines = stdin.toString('ascii').split(/\s+/).filter((l) => l.length > 0);
  if (lines.length < 2) return bootstrapFailure('stdin must hold two base64 lines (runtime, plan)');
  let runtime: string;
  let planJson: string;
  try {
    runtime = decodeRuntime(lines[0] ?? '').replace(/^\uFEFF/, '');
    planJson = decodeLine(lines[1] ?? '', 'the plan line');
  } catch (e) {
    return bootstrapFailure((e as Error).message);
  }
  const header = RUNTIME_HEADER_RE.exec(runtime.split('\n', 1)[0] ?? '');
  if (!header) return bootstrapFailure('the runtime text does not start with "# rdp-medic-runtime <version>"');
  if (header[1] !== LAB_RUNTIME_VERSION) return bootstrapFailure(`runtime version ${header[1]} is not the one this host implements (${LAB_RUNTIME_VERSION})`);
  let json: unknown;
  try {
    json = JSON.parse(planJson);
  } catch (e) {
    return bootstrapFailure(`plan refused: invalid JSON: ${(e as Error).message}`);
  }
  const parsed = Plan.safeParse(json);
  if (!parsed.success) return bootstrapFailure(`plan refused: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  opts.beforePlan?.(parsed.data);
  let result: PlanResult;
  try {
    result = executePlan(model, parsed.data, opts.now?.() ?? new Date());
  } catch (e) {
    return bootstrapFailure((e as Error).message);
  }
  opts.afterPlan?.(result, parsed.data);
  const b64 = Buffer.from(JSON.stringify(result), 'utf8').toString('base64');
  return done(`${RESULT_BEGIN}${b64}${RESULT_END}\r\n`, '', 0);
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
      run: (stdin: Buffer) => Promise.resolve(isBootstrap ? runBootstrap(model, stdin, opts) : runOther(model, script)),
    };
  };
}
