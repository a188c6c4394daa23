// What really happened to the last request for a fix (or an undo) on a host, read from the host's
// audit trail: the answer to a repeated click. "Already fixed by @bob at 02:14 UTC", "already
// undone", "waiting for approval since ...", instead of a guess that it is "being prepared".
import type { AuditEntry } from './entry.ts';
import type { AuditLog } from './log.ts';

export type RequestSubject = { fixId: string } | { undoId: string };

/** "02:14 UTC", with the date when it is not today's (UTC). */
export function clock(iso: string, now = new Date()): string {
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  const s = t.toISOString();
  return s.slice(0, 10) === now.toISOString().slice(0, 10) ? `${s.slice(11, 16)} UTC` : `${s.slice(0, 10)} ${s.slice(11, 16)} UTC`;
}

type Data = Record<string, unknown>;
const dataOf = (e: AuditEntry): Data => (e.data && typeof e.data === 'object' ? (e.data as Data) : {});
const nameOf = (u: unknown): string => (u && typeof u === 'object' && typeof (u as { name?: unknown }).name === 'string' ? `@${(u as { name: string }).name}` : 'someone');

/** Whether an entry is about the subject (the fix itself, not an undo of it; or that undo). */
function about(e: AuditEntry, s: RequestSubject): boolean {
  const d = dataOf(e);
  if ('undoId' in s) return d['undoId'] === s.undoId && (e.kind !== 'result' || 'restored' in d || d['fixId'] === undefined);
  if (d['undoId'] !== undefined && e.kind !== 'result') return false;
  if (e.kind === 'plan') return (d['plan'] as { fixId?: unknown } | undefined)?.fixId === s.fixId;
  if (e.kind === 'decision' || e.kind === 'result') return d['fixId'] === s.fixId && typeof d['approvalId'] === 'string';
  return false;
}

/**
 * The latest request for `subject` on `host` and how it ended, as one sentence; null when the
 * trail has none (recent entries only: the host's last `scan` entries).
 */
export async function lastRequestOutcome(audit: AuditLog, host: string, subject: RequestSubject, now = new Date(), scan = 200): Promise<string | null> {
  const entries = await audit.historyOf(host, scan);
  const newest = entries.find((e) => about(e, subject) && typeof dataOf(e)['approvalId'] === 'string');
  if (!newest) return null;
  const approvalId = dataOf(newest)['approvalId'] as string;
  const of = (kind: AuditEntry['kind']): AuditEntry | undefined => entries.find((e) => e.kind === kind && dataOf(e)['approvalId'] === approvalId);
  const [plan, decision, result, verification] = [of('plan'), of('decision'), of('result'), of('verification')];
  const asked = plan ? ` (asked by ${nameOf(dataOf(plan)['requester'])} at ${clock(plan.ts, now)})` : '';
  const what = 'undoId' in subject ? `the undo ${subject.undoId}` : subject.fixId;
  if (decision && dataOf(decision)['decision'] === 'rejected') return `The last request for ${what} on ${host} was rejected by ${decision.actorName || 'someone'} at ${clock(decision.ts, now)}${asked}.`;
  const approver = decision ? `${decision.actorName || 'someone'}` : 'someone';
  if (result) {
    const r = dataOf(result);
    const message = typeof r['message'] === 'string' ? r['message'] : '';
    if ('undoId' in subject) {
      return r['restored'] === true
        ? `Already undone by ${approver} at ${clock(result.ts, now)}: ${subject.undoId} was put back on ${host}${r['verified'] === false ? ', but the check afterwards still finds a problem' : ''}.`
        : `The last undo of ${subject.undoId} on ${host} (approved by ${approver}) did not restore it at ${clock(result.ts, now)}: ${message}`;
    }
    const verified = verification ? dataOf(verification)['verified'] === true : false;
    if (r['applied'] === true) {
      return verified
        ? `Already fixed by ${approver} at ${clock(result.ts, now)}: ${subject.fixId} was applied on ${host} and verified${asked}.`
        : `Already applied by ${approver} at ${clock(result.ts, now)}, but not verified: ${message}`;
    }
    return `The last request for ${subject.fixId} on ${host} (approved by ${approver}) was not applied at ${clock(result.ts, now)}: ${message}`;
  }
  if (decision) return `Already on it: approved by ${approver} at ${clock(decision.ts, now)}${asked}; it is running.`;
  return `Already asked${asked}: waiting for an approver.`;
}
