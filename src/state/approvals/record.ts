// The approval record: what was asked (host, fix, plan hash, risk), by whom, where to answer, and
// its state. Never secrets and never the plan itself: the worker rebuilds the plan and refuses to
// apply it if its hash differs. In Redis it is a hash of flat fields (times in ms since the epoch,
// users as JSON) so the Lua transitions can read state and expiry without decoding anything. Its
// field "v" is its format version (record.ts): the scripts refuse to move a record of another
// version ('foreign'), and reading one reports it and treats it as absent.
import { z } from 'zod';
import { Risk } from '../../config/policy.ts';
import { ChatUser, ConversationRef } from '../../chat/model.ts';
import type { Decoded } from '../record.ts';

/** Bump when the hash's fields change incompatibly; the Lua scripts compare it too. */
export const APPROVAL_FORMAT = 1;

export const APPROVAL_STATES = ['pending', 'approved', 'running', 'done', 'rejected', 'expired', 'failed'] as const;
export const ApprovalState = z.enum(APPROVAL_STATES);
export type ApprovalState = z.infer<typeof ApprovalState>;

export const ApprovalId = z.string().regex(/^a_[A-Za-z0-9_-]{8,32}$/, 'an approval id is "a_" and 8-32 url-safe characters');

/** What the worker reports at the end (no facts, no plan: the audit stream has those). */
export const ApprovalResult = z
  .object({
    ok: z.boolean(),
    message: z.string().max(4000),
    undoId: z.string().max(64).nullable().default(null),
  })
  .strict();
export type ApprovalResult = z.infer<typeof ApprovalResult>;

export const ApprovalRequest = z
  .object({
    host: z.string().min(1).max(63),
    fixId: z.string().regex(/^[a-z0-9-]{1,64}$/),
    planHash: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 hex of the plan'),
    risk: Risk,
    requester: ChatUser,
    conversation: ConversationRef,
    /** Set when the fix to approve is the undo of an earlier fix (its plan is the undo record's). */
    undoId: z.string().regex(/^u-[0-9a-z]{8}$/).optional(),
    /** The bot's conversation (thread) the approval was asked in. */
    conversationId: z.string().max(40).optional(),
  })
  .strict();
export type ApprovalRequest = z.input<typeof ApprovalRequest>;

const Iso = z.string().datetime();

export const ApprovalRecord = ApprovalRequest.extend({
  id: ApprovalId,
  createdAt: Iso,
  expiresAt: Iso,
  state: ApprovalState,
  decidedBy: ChatUser.optional(),
  decidedAt: Iso.optional(),
  /** Who ran it (the fix job id), from `start`. */
  runner: z.string().optional(),
  startedAt: Iso.optional(),
  finishedAt: Iso.optional(),
  result: ApprovalResult.optional(),
});
export type ApprovalRecord = z.infer<typeof ApprovalRecord>;

const JSON_FIELDS = new Set(['requester', 'conversation', 'decidedBy', 'result']);
const TIME_FIELDS = new Set(['createdAt', 'expiresAt', 'decidedAt', 'startedAt', 'finishedAt']);

/** The request as flat hash fields (the Lua create script adds v, id, state and times). */
export function toHashFields(req: z.output<typeof ApprovalRequest>): string[] {
  return Object.entries(req).flatMap(([k, v]) => [k, JSON_FIELDS.has(k) ? JSON.stringify(v) : String(v)]);
}

/**
 * HGETALL's flat [field, value, ...] back into a validated record, or why this version cannot read
 * it. A hash without "v" (written before approvals carried one) is read when it fits.
 */
export function fromHashFields(flat: string[]): Decoded<ApprovalRecord> {
  const raw: Record<string, unknown> = {};
  let version: string | undefined;
  try {
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const [k, v] = [flat[i]!, flat[i + 1]!];
      if (k === 'v') version = v;
      else raw[k] = JSON_FIELDS.has(k) ? JSON.parse(v) : TIME_FIELDS.has(k) ? new Date(Number(v)).toISOString() : v;
    }
  } catch {
    return { ok: false, problem: 'a field that should hold JSON does not' };
  }
  if (version !== undefined && version !== String(APPROVAL_FORMAT)) return { ok: false, problem: `written in format ${JSON.stringify(version)} (another version of rdp-medic); this version reads format ${APPROVAL_FORMAT}` };
  const checked = ApprovalRecord.safeParse(raw);
  if (checked.success) return { ok: true, value: checked.data };
  const issue = checked.error.issues[0];
  return { ok: false, problem: `${version === undefined ? 'written without a format version' : `format ${APPROVAL_FORMAT}`}, but ${issue ? `${issue.path.join('.') || 'the record'}: ${issue.message}` : 'it does not fit'}` };
}
