// Verifying a fix from outside: the checks it cures must no longer be problems, and (when asked)
// the RDP probe must complete a TLS handshake with a certificate valid now.
import type { Operation, Plan } from '../host/operations.ts';
import type { RdpProbeResult } from './probes/index.ts';
import type { Diagnosis, FixVerification } from './types.ts';
import { errorText } from '../lib/error-text.ts';

export interface VerifyDeps {
  /** A full diagnosis after the fix. */
  diagnose(): Promise<Diagnosis>;
  /** The bot-side RDP probe; without it TLS is judged by the net-rdp-probe finding. */
  probeRdp?(): Promise<RdpProbeResult>;
}

export async function verifyFix(verify: FixVerification, args: VerifyDeps): Promise<{ verified: boolean; after: Diagnosis | null; notes: string[] }> {
  const notes: string[] = [];
  let after: Diagnosis | null = null;
  try {
    after = await args.diagnose();
  } catch (e) {
    return { verified: false, after: null, notes: [`the diagnosis after the fix failed: ${errorText(e)}`] };
  }
  const still = after.findings.filter((f) => verify.recheck.includes(f.check) && f.verdict === 'problem');
  for (const f of still) notes.push(`${f.check} still reports a problem: ${f.summary}`);
  let tlsOk = true;
  if (verify.expectRdpTls) {
    if (args.probeRdp) {
      try {
        const p = await args.probeRdp();
        const cert = p.certificate;
        tlsOk = p.tls !== null && cert !== null && !cert.expired && !cert.notYetValid;
        if (!tlsOk) {
          notes.push(
            p.tls === null
              ? `the RDP probe did not complete a TLS handshake (stopped at ${p.stage}${p.error ? `: ${p.error.message}` : ''})`
              : `the RDP certificate is not valid now (${cert ? `valid ${cert.validFrom} to ${cert.validTo}` : 'none presented'})`,
          );
        }
      } catch (e) {
        tlsOk = false;
        notes.push(`the RDP probe failed: ${errorText(e)}`);
      }
    } else {
      const probe = after.findings.find((f) => f.check === 'net-rdp-probe');
      tlsOk = probe?.verdict === 'ok';
      if (!tlsOk) notes.push(probe ? `the RDP probe reports: ${probe.summary}` : 'no RDP probe result to confirm the TLS handshake');
    }
  }
  return { verified: still.length === 0 && tlsOk, after, notes };
}

/** " It reverts itself on the host at …" for a time-boxed plan (of an undo: how long the weaker setting lasts), else ''. */
export function timeBoxNote(plan: Plan, now: Date, ofUndo = false): string {
  const task = plan.ops.find((o): o is Extract<Operation, { op: 'task.scheduleRevert' }> => o.op === 'task.scheduleRevert');
  if (!task) return '';
  const at = new Date(now.getTime() + task.afterMinutes * 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  return ofUndo
    ? ` The weaker setting lasts until ${at}: the host puts the secure value back itself then (scheduled task ${task.name}).`
    : ` It reverts itself on the host at ${at} (scheduled task ${task.name}) unless undone earlier.`;
}
