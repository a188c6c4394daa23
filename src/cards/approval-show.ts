// The approval card, built in one place for the bot (decisions, expiry) and the worker (the request,
// running, done): one request card and one showApproval with one version table, so an update from
// one process never loses to an older one from the other.
import type { Outbox } from '../state/outbox.ts';
import type { SharedState } from '../state/shared-state.ts';
import type { FixPlan } from '../rdp/types.ts';
import { approvalDecided, approvalRequest } from './index.ts';
import type { ConversationRecord } from '../state/conversations.ts';
import type { ApprovalRecord } from '../state/approvals/record.ts';
import { approvalView } from './approval-view.ts';

export interface ApprovalCardDeps {
  state: Pick<SharedState, 'conversations' | 'plans'>;
  outbox: Outbox;
}

/** Later states replace earlier ones; an update with a lower version is dropped by the outbox. */
const VERSION: Record<Exclude<ApprovalRecord['state'], 'pending'>, number> = { approved: 1, rejected: 1, expired: 1, running: 2, done: 3, failed: 3 };

/** The approval request's message in its conversation (its receipt names the platform message: clicks elsewhere are refused). */
export const approvalMessageKey = (approvalId: string): string => `approval.${approvalId}`;

const messageKey = (record: ApprovalRecord): string => approvalMessageKey(record.id);

/** Posts the approval request (on-call pinged) in `conv`, the conversation the plan was asked in. */
export async function askApproval(deps: ApprovalCardDeps, conv: ConversationRecord, record: ApprovalRecord, plan: FixPlan): Promise<void> {
  await deps.outbox.reply(conv, messageKey(record), { ...approvalRequest(approvalView(record, plan)), notify: 'oncall' });
}

/** Replaces an approval's buttons with its state (after a decision, expiry, start or finish). */
export async function showApproval(deps: ApprovalCardDeps, record: ApprovalRecord): Promise<void> {
  if (record.state === 'pending' || !record.conversationId) return;
  const conv = await deps.state.conversations.get(record.conversationId);
  if (!conv) return;
  const plan = await deps.state.plans.get(record.id);
  const at = record.finishedAt ?? record.startedAt ?? record.decidedAt ?? record.expiresAt;
  const card = approvalDecided(approvalView(record, plan), { state: record.state, at, ...(record.decidedBy ? { by: record.decidedBy } : {}) });
  await deps.outbox.update(conv, messageKey(record), VERSION[record.state], card);
}
