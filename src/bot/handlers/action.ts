// A button click. The id is only a reference we made (parseActionId): the host must be in the
// inventory, the approval must exist, and the clicker must be allowed; otherwise the clicker alone
// is told why and nothing changes. Decided approvals get their buttons replaced by the decision.
import { actorOf } from '../audit/index.ts';
import type { ApprovalRecord } from '../approvals/record.ts';
import { approvalView } from '../approvals/view.ts';
import { approvalDecided, diagnosisDetails, diagnosisRoot, parseActionId, refused, type ActionRef } from '../cards/index.ts';
import type { ConversationRecord } from '../conversations.ts';
import { HostId } from '../../config/schema.ts';
import { busyMessage } from '../../jobs/fix-lock.ts';
import { enqueueFix } from '../../jobs/queues.ts';
import { describePlan } from '../../rdp/fixes/describe-plan.ts';
import type { Card, Inbound } from '../model.ts';
import { openConversation, tell, type BotContext } from './context.ts';
import { requestFix, requestUndo } from './fix-request.ts';

type ActionEvent = Extract<Inbound, { kind: 'action' }>;

const MAX_DETAIL_HOSTS = 10;

export async function handleAction(ctx: BotContext, event: ActionEvent): Promise<void> {
  const conv = (await ctx.state.conversations.byMessage(event.user.platform, event.messageId)) ?? (await openConversation(ctx, 'info', event.where, event.user, ''));
  const say = (card: Card, key: string): Promise<void> => tell(ctx, conv, event.user, event.where, card, `${key}.${event.user.id}.${event.receivedAt}`);
  const ref = parseActionId(event.actionId);
  if (!ref) return say(refused('That button is not one of mine (or it is from an older version); nothing was changed.'), 'unknown');
  const host = 'host' in ref ? inventoryHost(ctx, ref.host) : null;
  if ('host' in ref && !host) return say(refused(`${ref.host} is not in the inventory; nothing was changed.`), 'host');
  switch (ref.kind) {
    case 'propose':
    case 'undo':
      return requestOrUndo(ctx, event, conv, ref, host!, say);
    case 'approve':
    case 'reject':
      return decide(ctx, event, ref.kind, ref.approvalId, say);
    case 'plan':
      return showPlan(ctx, event, ref.approvalId, say);
    case 'details':
      return showDetails(ctx, event, ref.requestId, say);
  }
}

function inventoryHost(ctx: BotContext, name: string): HostId | null {
  const id = Object.keys(ctx.config.hosts).find((h) => h.toLowerCase() === name.toLowerCase());
  return id ? HostId.parse(id) : null;
}

async function requestOrUndo(ctx: BotContext, event: ActionEvent, conv: ConversationRecord, ref: Extract<ActionRef, { kind: 'propose' | 'undo' }>, host: HostId, say: (c: Card, k: string) => Promise<void>): Promise<void> {
  const { user } = event;
  const mayRequest = ctx.state.policy.mayRequestFix(user);
  if (!mayRequest.allowed) return say(refused(mayRequest.reason), 'policy');
  if (ref.kind === 'undo') {
    // Undo acts at once (no approval round): it takes someone who may approve safe fixes.
    const mayUndo = ctx.state.policy.mayApprove(user, 'safe', { ...user, id: '' });
    if (!mayUndo.allowed) return say(refused(mayUndo.reason), 'policy');
  }
  await ctx.state.audit.append({ kind: 'command', host, ...actorOf(user), data: { click: event.actionId, platform: user.platform } });
  const outcome = ref.kind === 'propose' ? await requestFix(ctx, host, ref.fixId, user, event.where, conv) : await requestUndo(ctx, host, ref.undoId, user, event.where, conv);
  if (outcome === 'duplicate') return say(refused('Already on it: that request is being prepared.', { title: 'Already requested' }), 'dup');
}

const VERSION: Record<string, number> = { approved: 1, rejected: 1, expired: 1, running: 2, done: 3, failed: 3 };

/** Replaces an approval's buttons with its decision (after a decision, or a click on a decided one). */
export async function showDecision(ctx: BotContext, record: ApprovalRecord): Promise<void> {
  if (record.state === 'pending' || !record.conversationId) return;
  const conv = await ctx.state.conversations.get(record.conversationId);
  if (!conv) return;
  const plan = await ctx.state.plans.get(record.id);
  const at = record.finishedAt ?? record.startedAt ?? record.decidedAt ?? record.expiresAt;
  const card = approvalDecided(approvalView(record, plan), { state: record.state, at, ...(record.decidedBy ? { by: record.decidedBy } : {}) });
  await ctx.outbox.update(conv, `approval.${record.id}`, VERSION[record.state] ?? 1, card);
}

async function decide(ctx: BotContext, event: ActionEvent, kind: 'approve' | 'reject', approvalId: string, say: (c: Card, k: string) => Promise<void>): Promise<void> {
  const { user } = event;
  const current = await ctx.state.approvals.get(approvalId);
  if (kind === 'approve' && current?.state === 'pending') {
    const holder = await ctx.state.locks.holder(current.host);
    if (holder) return say(refused(busyMessage(current.host, holder), { title: `${current.host} is busy` }), 'busy');
  }
  const t = kind === 'approve' ? await ctx.state.approvals.approve(approvalId, user) : await ctx.state.approvals.reject(approvalId, user);
  if (!t.ok) {
    ctx.counters?.approval('refused');
    if (t.record) await showDecision(ctx, t.record);
    return say(refused(t.reason), 'decision');
  }
  ctx.counters?.approval(kind === 'approve' ? 'approved' : 'rejected');
  await ctx.state.audit.append({ kind: 'decision', host: t.record.host, ...actorOf(user), data: { decision: kind === 'approve' ? 'approved' : 'rejected', approvalId, fixId: t.record.fixId, planHash: t.record.planHash, requester: t.record.requester } });
  await showDecision(ctx, t.record);
  if (kind === 'approve') await enqueueFix(ctx.queues, { kind: 'apply', approvalId }, `apply.${approvalId}`);
}

async function showPlan(ctx: BotContext, event: ActionEvent, approvalId: string, say: (c: Card, k: string) => Promise<void>): Promise<void> {
  const may = ctx.state.policy.mayCheck(event.user);
  if (!may.allowed) return say(refused(may.reason), 'policy');
  const plan = await ctx.state.plans.get(approvalId);
  if (!plan) return say(refused(`No plan is stored for ${approvalId} (expired or unknown).`), 'plan');
  await say(
    {
      title: `Plan: ${plan.title} on ${plan.host}`,
      status: 'info',
      sections: [
        { kind: 'text', text: plan.impact.summary },
        { kind: 'code', text: describePlan(plan.apply).join('\n') || '(no writes)' },
        { kind: 'fields', fields: [{ label: 'Plan hash', value: plan.hash.slice(0, 16) }, { label: 'Risk', value: plan.risk }] },
      ],
      actions: [],
    },
    'plan',
  );
}

async function showDetails(ctx: BotContext, event: ActionEvent, requestId: string, say: (c: Card, k: string) => Promise<void>): Promise<void> {
  const may = ctx.state.policy.mayCheck(event.user);
  if (!may.allowed) return say(refused(may.reason), 'policy');
  const conv = await ctx.state.conversations.get(requestId);
  if (!conv) return say(refused('That check is too old; its details are gone. Run it again.'), 'details');
  const all = await ctx.state.diagnoses.fleetDetails(requestId);
  const cards = all.slice(0, MAX_DETAIL_HOSTS).flatMap((d) => [diagnosisRoot(d, conv.requester), ...diagnosisDetails(d)]);
  if (all.length > MAX_DETAIL_HOSTS) cards.push({ title: `… and ${all.length - MAX_DETAIL_HOSTS} more hosts`, status: 'info', sections: [{ kind: 'text', text: 'Check them one by one with `/rdp check HOST`.' }], actions: [] });
  if (!cards.length) return say({ title: 'Every host is OK', status: 'ok', sections: [], actions: [] }, 'details');
  await ctx.outbox.send(conv, `details.${event.receivedAt}`, cards.map((card, i) => ({ op: 'reply' as const, key: `details.${event.receivedAt}.${i}`, card })));
}
