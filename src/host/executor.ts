// Runs a plan on a host: validate it here (a bad plan never leaves the process), send the
// bootstrap with the runtime and plan on stdin, parse what comes back.
import { Plan, WRITE_OPS } from './operations.ts';
import type { PlanResult } from './operations.ts';
import { BOOTSTRAP_SCRIPT, buildStdin } from './bootstrap.ts';
import { parsePlanResult } from './result.ts';

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

export async function executePlan(runner: PowerShellRunner, plan: Plan): Promise<PlanResult> {
  const valid = validatePlan(plan);
  const { stdout, stderr, exitCode } = await runner.runPowerShell(BOOTSTRAP_SCRIPT, buildStdin(valid));
  return parsePlanResult(stdout, valid, { stderr, exitCode });
}
