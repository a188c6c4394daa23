// Runs a plan on a host: validate it here (a bad plan never leaves the process), send the
// bootstrap with the runtime and plan on stdin, parse what comes back.
import { Plan, WRITE_OPS } from './operations.ts';
import type { PlanInput, PlanResult } from './operations.ts';
import { BOOTSTRAP_SCRIPT, buildStdin } from './bootstrap.ts';
import { parsePlanResult } from './result.ts';
import type { ResultContext } from './result.ts';

/** What the host layer needs from a WinRM client: run one PowerShell script, feed it stdin. */
export interface PowerShellRunner {
  runPowerShell(script: string, stdin?: Buffer): Promise<{ stdout: string; stderr: string; exitCode: number }>;
}

export class InvalidPlanError extends Error {
  override readonly name = 'InvalidPlanError';
}

/** The plan as it will be sent (zod defaults applied), or InvalidPlanError. */
export function validatePlan(plan: unknown): Plan {
  const parsed = Plan.safeParse(plan);
  if (!parsed.success) {
    const issues = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new InvalidPlanError(`invalid plan: ${issues}`);
  }
  const ids = new Set<string>();
  for (const op of parsed.data.ops) {
    if (ids.has(op.id)) throw new InvalidPlanError(`invalid plan: duplicate op id ${op.id}`);
    ids.add(op.id);
    if (parsed.data.mode === 'read' && WRITE_OPS.has(op.op)) {
      throw new InvalidPlanError(`invalid plan: write op ${op.op} (${op.id}) in a read plan`);
    }
  }
  return parsed.data;
}

/** What a runner's deadline error carries (WinrmTimeoutError does): the output that arrived before it. */
interface CutShort {
  partialStdout?: string;
  timeoutMs?: number;
}

const cutShortOutput = (error: unknown): { stdout: string; ms: number } | undefined => {
  const e = error as CutShort | undefined;
  return typeof e?.partialStdout === 'string' && e.partialStdout.includes('<<<RDPMEDIC BEGIN') ? { stdout: e.partialStdout, ms: e.timeoutMs ?? 0 } : undefined;
};

/**
 * Runs the plan. When the command hits its deadline after the runtime began, the operations that
 * finished are kept and the rest report Timeout (the runtime streams one result per operation).
 */
export async function executePlan(runner: PowerShellRunner, plan: PlanInput | Plan, limits: Pick<ResultContext, 'host' | 'maxResultBytes'> = {}): Promise<PlanResult> {
  const valid = validatePlan(plan);
  let run: { stdout: string; stderr: string; exitCode: number };
  try {
    run = await runner.runPowerShell(BOOTSTRAP_SCRIPT, buildStdin(valid));
  } catch (error) {
    const cut = cutShortOutput(error);
    if (!cut) throw error;
    return parsePlanResult(cut.stdout, valid, { ...limits, cutShort: { afterMs: cut.ms } });
  }
  return parsePlanResult(run.stdout, valid, { ...limits, stderr: run.stderr, exitCode: run.exitCode });
}
