// Why a transition was refused, in the words the chat shows under the replaced buttons. Times are
// relative to the Redis server's clock (the script returns it), so "2 min ago" is right everywhere.
import { mention } from '../../policy/roles.ts';
import type { ApprovalRecord } from './record.ts';

export function ago(thenIso: string, nowMs: number): string {
  const s = Math.max(0, Math.round((nowMs - Date.parse(thenIso)) / 1000));
  if (s < 1) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} days ago`;
}

/** "2025-01-02 14:05:09 UTC" */
export const utc = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

function decided(r: ApprovalRecord, nowMs: number, verb: string): string {
  const by = r.decidedBy ? mention(r.decidedBy) : 'someone';
  return `${verb} by ${by}${r.decidedAt ? ` ${ago(r.decidedAt, nowMs)}` : ''}`;
}

/** The refusal for a record that is not in the state the transition needed. */
export function refusal(r: ApprovalRecord, nowMs: number): string {
  switch (r.state) {
    case 'pending':
      return `not approved yet: waiting for an approver since ${ago(r.createdAt, nowMs)} (expires ${utc(r.expiresAt)})`;
    case 'approved':
      return `already ${decided(r, nowMs, 'approved')}`;
    case 'running':
      return `already ${decided(r, nowMs, 'approved')}; the fix is running${r.startedAt ? ` (started ${ago(r.startedAt, nowMs)})` : ''}`;
    case 'done':
    case 'failed':
      return `already ${decided(r, nowMs, 'approved')}; the fix ${r.state === 'done' ? 'finished' : 'failed'}${r.result ? `: ${r.result.message}` : ''}`;
    case 'rejected':
      return decided(r, nowMs, 'rejected');
    case 'expired': {
      const minutes = Math.round((Date.parse(r.expiresAt) - Date.parse(r.createdAt)) / 60_000);
      return `expired at ${utc(r.expiresAt)} (approvals last ${minutes} minutes); ask for the fix again`;
    }
  }
}

export const missing = (id: string): string => `no approval ${id}: it never existed or was cleaned up long after it ended`;

export const foreign = (id: string): string =>
  `approval ${id} was made by another version of rdp-medic, which this version cannot read or change; ask for the fix again`;
