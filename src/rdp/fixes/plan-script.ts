// The PowerShell for a fix plan, as "Show the PowerShell" posts it: the plan's own write operations
// (host/manual-script.ts), each with the approval card's words for it, under a header naming the
// fix, the host and the plan's hash, recomputed here from the operations themselves, so the script
// names the plan it was made from, and a plan whose hash is not the approved one is never shown.
import { manualScript } from '../../host/manual-script.ts';
import { RUNTIME_VERSION } from '../../host/runtime.ts';
import type { FixPlan } from '../types.ts';
import { describeOp } from './describe-plan.ts';
import { planHash } from './lib/plan.ts';

/** The script's file name: fix, host and the start of the hash (letters, digits, dot, dash). */
export function planScriptName(plan: FixPlan): string {
  const safe = (s: string): string => s.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 40);
  return `${safe(plan.fixId)}-${safe(plan.host)}-${planHash(plan.apply).slice(0, 12)}.ps1`;
}

/** The script for `plan`; throws when its operations are not the ones `approvedHash` names. */
export function planScript(plan: FixPlan, approvedHash: string = plan.hash): string {
  const hash = planHash(plan.apply);
  if (hash !== approvedHash) throw new Error(`the stored plan (sha256 ${hash.slice(0, 12)}) is not the approved one (${approvedHash.slice(0, 12)})`);
  return manualScript(plan.apply, {
    header: [
      `rdp-medic: ${plan.title} on ${plan.host} (fix ${plan.fixId}, risk ${plan.risk})`,
      `Plan sha256 ${hash}: the hash the approval and the audit name.`,
      `Runtime ${RUNTIME_VERSION}; planned ${plan.plannedAt ?? 'at an unknown time'}.`,
      ...(plan.timeBoxMinutes ? [`Time-boxed: a task on the host puts the secure values back after ${plan.timeBoxMinutes} minutes.`] : []),
    ],
    describe: describeOp,
  });
}
