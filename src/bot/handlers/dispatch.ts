// One path for everything a person does: typed text, or a click (whose id stands for grammar text,
// see commandOfAction). First floods and repeats: a delivery the platform already gave us (a replayed
// request, a redelivered event) is dropped, the same press of the same button within seconds counts
// once, and typed text and clicks share one rate limit. Then one parser (with its one host lookup,
// where a group or tag expands only to the hosts the user may check), one policy decision, one audit
// entry, and the subcommand. Every refusal is told to that person alone, in plain words, and changes
// nothing.
import { busyMessage } from '../../state/fix-lock.ts';
import { enqueueFix } from '../../state/queues.ts';
import type { ApprovalRecord } from '../../state/approvals/record.ts';
import { approvalMessageKey, showApproval } from '../../cards/approval-show.ts';
import { parseActionId } from '../../cards/action-ids.ts';
import { commandOfAction, diagnosisDetails, diagnosisRoot, error, planScriptCard, refused } from '../../cards/index.ts';
import { errorText } from '../../lib/error-text.ts';
import { isGrammarError, parseCommand, type ParsedCommand } from '../grammar.ts';
import type { Card, Inbound } from '../../chat/model.ts';
import { accountOf } from '../../policy/roles.ts';
import { firstWithin, giveBack, rateSubject, takeCommand } from '../../state/rate-limit.ts';
import { lastRequestOutcome } from '../../state/audit/recent.ts';
import type { REFUSAL_STAGES } from '../../state/audit/index.ts';
import { authorize } from './authorize.ts';
import { startCheck } from './check.ts';
import { eventContext, type BotContext, type EventContext } from './context.ts';
import { requestEvidence, requestFix, requestUndo } from './fix-request.ts';
import { infoCard } from './info.ts';

const MAX_DETAIL_HOSTS = 10;

type RefusalStage = (typeof REFUSAL_STAGES)[number];

/** How long a delivery id is remembered: past Slack's 5-minute replay window plus its clock skew. */
const DELIVERY_MEMORY_MS = 10 * 60_000;

/**
 * The same person pressing the same button on the same message again within this is the same press
 * (a double click, a flood): it is acted on once. Approve and reject are exempt: their one-way
 * transition already acts once, and tells a repeat who decided.
 */
const SAME_PRESS_MS = 10_000;

export async function handleEvent(bot: BotContext, event: Inbound): Promise<void> {
  const platform = event.user.platform;
  if (event.deliveryId !== undefined && !(await firstWithin(bot.redis, bot.state.prefix, `delivery:${platform}`, event.deliveryId, DELIVERY_MEMORY_MS))) {
    bot.logger.warn({ platform, kind: event.kind }, 'dropped a delivery seen before (a replayed request or a redelivered event); nothing was done');
    return;
  }
  const text = event.kind === 'command' ? event.text : commandOfAction(event.actionId);
  if (event.kind === 'action' && !decidesApproval(event.actionId)) {
    const press = `${accountOf(event.user)}\n${event.messageId}\n${event.actionId}`;
    if (!(await firstWithin(bot.redis, bot.state.prefix, 'press', press, SAME_PRESS_MS))) return;
  }
  const count = (kind: string, outcome: 'accepted' | 'refused' | 'invalid' | 'rate-limited'): void => {
    if (event.kind === 'command') bot.counters?.command(platform, kind, outcome);
  };
  const click: Record<string, string> = event.kind === 'action' ? { click: event.actionId.slice(0, 200) } : {};
  const via: Record<string, string> = { platform, ...click };
  // Clicks count like commands: a flood of presses is a flood of commands.
  const subject = rateSubject(event.user, bot.config.policy);
  const rate = await takeCommand(bot.redis, bot.state.prefix, subject, bot.config.policy.rateLimit.commandsPerMinute);
  if (!rate.allowed) {
    count('unknown', 'rate-limited');
    // Told once per wait, so a flood does not become a flood of refusals.
    if (!(await firstWithin(bot.redis, bot.state.prefix, 'rate-told', subject, Math.max(1_000, rate.retryAfterMs)))) return;
    const ctx = await eventContext(bot, event, text ?? '');
    await auditRefusal(ctx, 'rate-limit', rate.reason, null, via);
    return ctx.tell(refused(rate.reason, { title: 'Slow down' }), 'rate');
  }
  const ctx = await eventContext(bot, event, text ?? '');
  const refusal = (stage: RefusalStage, reason: string, host: string | null = null): Promise<void> => auditRefusal(ctx, stage, reason, host, via);
  if (text === null) {
    await refusal('unknown-button', 'not one of our buttons');
    return ctx.tell(refused('That button is not one of mine (or it is from an older version); nothing was changed.'), 'unknown');
  }
  const parsed = parseCommand(text, bot.inventory, { maxTargets: bot.config.bot.maxTargets, within: bot.state.policy.checkable(ctx.user) });
  if (isGrammarError(parsed)) {
    count('unknown', 'invalid');
    // A typo is answered with help and does not count against the rate limit (a user already over it was refused above).
    await giveBack(bot.redis, bot.state.prefix, subject, rate.token);
    await refusal('grammar', parsed.message);
    return ctx.tell(error(`${parsed.message}\nType \`/rdp help\` for the commands.`, { title: 'I did not understand that' }), 'invalid');
  }
  const host = await hostOf(bot, parsed);
  const decision = authorize(bot.state.policy, parsed, ctx.user, host);
  if (!decision.allowed) {
    count(parsed.kind, 'refused');
    await refusal('policy', decision.reason, host);
    return ctx.tell(refused(decision.reason), 'policy');
  }
  await ctx.audit({ kind: 'command', host, data: { text, platform, outcome: 'accepted', subcommand: parsed.kind, ...click } });
  count(parsed.kind, 'accepted');
  await run(ctx, parsed);
}

/** Every refusal is in the audit trail too: who tried what, at which stage, and why. */
function auditRefusal(ctx: EventContext, stage: RefusalStage, reason: string, host: string | null, extra: Record<string, string>): Promise<void> {
  return ctx.audit({ kind: 'refusal', host, data: { stage, reason, text: ctx.text.slice(0, 500), ...extra } });
}

const decidesApproval = (actionId: string): boolean => {
  const kind = parseActionId(actionId)?.kind;
  return kind === 'approve' || kind === 'reject';
};

/** The host a command is about, for the policy decision and the host's history (an approval's host for approve, reject and plan). */
async function hostOf(bot: BotContext, p: ParsedCommand): Promise<string | null> {
  if ('host' in p) return p.host;
  if (p.kind === 'check' && p.target.by === 'host') return p.hosts[0]!;
  if (p.kind === 'approve' || p.kind === 'reject' || p.kind === 'plan') return (await bot.state.approvals.get(p.approvalId))?.host ?? null;
  return null;
}

async function run(ctx: EventContext, parsed: ParsedCommand): Promise<void> {
  switch (parsed.kind) {
    case 'check':
      await startCheck(ctx.bot, parsed, ctx.user, ctx.where);
      if (parsed.outside) await ctx.tell(leftOut(parsed), 'outside');
      return;
    case 'fix':
    case 'undo': {
      const outcome = parsed.kind === 'fix' ? await requestFix(ctx, parsed.host, parsed.fixId) : await requestUndo(ctx, parsed.host, parsed.undoId);
      if (typeof outcome === 'object') return auditRefusal(ctx, 'not-found', outcome.refused, parsed.host, { platform: ctx.user.platform });
      if (outcome === 'duplicate') {
        // Say what really happened to the earlier request (fixed, undone, waiting, running).
        const subject = parsed.kind === 'fix' ? { fixId: parsed.fixId } : { undoId: parsed.undoId };
        const happened = await lastRequestOutcome(ctx.bot.state.audit, parsed.host, subject);
        return ctx.tell(refused(happened ?? 'This was asked for less than 30 s ago; its answer is in that thread. Nothing new was requested.', { title: 'Already requested' }), 'dup');
      }
      return;
    }
    case 'approve':
    case 'reject':
      return decide(ctx, parsed.kind, parsed.approvalId);
    case 'plan':
      return showPlan(ctx, parsed.approvalId);
    case 'details':
      return showDetails(ctx, parsed.requestId);
    case 'evidence':
      return requestEvidence(ctx, parsed.host);
    default:
      await ctx.bot.outbox.root(ctx.conversation, await infoCard(ctx.bot, parsed, ctx.user));
  }
}

/** What a group or tag check left out: the hosts outside the user's scope, counted (not named). */
function leftOut(cmd: Extract<ParsedCommand, { kind: 'check' }>): Card {
  const n = cmd.outside ?? 0;
  const selector = `${cmd.target.by}:${cmd.target.name}`;
  return {
    title: `${selector}: ${n} host${n === 1 ? '' : 's'} left out`,
    status: 'info',
    sections: [{ kind: 'text', text: `${n} of the ${n + cmd.hosts.length} hosts in ${selector} ${n === 1 ? 'is' : 'are'} outside your roles' scope and ${n === 1 ? 'was' : 'were'} not checked; the check covers the other ${cmd.hosts.length}.` }],
    actions: [],
  };
}

/**
 * An approval is answered on its own request message (a click), or typed in its own conversation's
 * channel: an approval id seen anywhere else is not enough. Null when it is; else the refusal.
 */
async function answeredWhereAsked(ctx: EventContext, record: ApprovalRecord): Promise<string | null> {
  const { conversations } = ctx.bot.state;
  const conv = record.conversationId ? await conversations.get(record.conversationId) : null;
  const ref = conv?.ref ?? record.conversation;
  if (ctx.via === 'click') {
    const posted = record.conversationId ? await conversations.receipt(record.conversationId, approvalMessageKey(record.id)) : null;
    if (posted && ref.platform === ctx.where.platform && posted.messageId === ctx.messageId) return null;
    return `That button is not on the request of approval ${record.id}, so it was not honoured: answer an approval with the buttons on its own request message. Nothing was changed.`;
  }
  if (ref.platform === ctx.where.platform && (ctx.where.channel === ref.channel || ctx.where.channel === ref.threadId)) return null;
  return `Approval ${record.id} was asked in another ${ref.platform === ctx.where.platform ? 'channel' : 'chat'}: answer it there, with the buttons on its request. Nothing was changed.`;
}

/** Approve or reject, on the approval's own message: the store decides with the policy (risk class on its host, four-eyes by person), atomically. */
async function decide(ctx: EventContext, kind: 'approve' | 'reject', approvalId: string): Promise<void> {
  const { bot, user } = ctx;
  const current = await bot.state.approvals.get(approvalId);
  const elsewhere = current ? await answeredWhereAsked(ctx, current) : null;
  if (elsewhere) {
    bot.counters?.approval('refused');
    await auditRefusal(ctx, 'elsewhere', elsewhere, current?.host ?? null, { approvalId });
    return ctx.tell(refused(elsewhere, { title: 'Not this message' }), 'elsewhere');
  }
  if (kind === 'approve' && current?.state === 'pending') {
    const holder = await bot.state.locks.holder(current.host);
    if (holder) {
      const busy = busyMessage(current.host, holder);
      await auditRefusal(ctx, 'busy', busy, current.host, { approvalId });
      return ctx.tell(refused(busy, { title: `${current.host} is busy` }), 'busy');
    }
  }
  const t = kind === 'approve' ? await bot.state.approvals.approve(approvalId, user) : await bot.state.approvals.reject(approvalId, user);
  if (!t.ok) {
    bot.counters?.approval('refused');
    await auditRefusal(ctx, 'decision', t.reason, t.record?.host ?? null, { approvalId });
    if (t.record) await showApproval(bot, t.record);
    return ctx.tell(refused(t.reason), 'decision');
  }
  bot.counters?.approval(kind === 'approve' ? 'approved' : 'rejected');
  const r = t.record;
  await ctx.audit({ kind: 'decision', host: r.host, data: { decision: kind === 'approve' ? 'approved' : 'rejected', approvalId, fixId: r.fixId, ...(r.undoId ? { undoId: r.undoId } : {}), planHash: r.planHash, requester: r.requester } });
  await showApproval(bot, r);
  if (kind === 'approve') await enqueueFix(bot.queues, { kind: 'apply', approvalId }, `apply.${approvalId}`);
}

/**
 * "Show the PowerShell": the exact plan and its PowerShell as a file, in the approval's own thread
 * (once per approval: a second press finds it there). Files cannot be shown to one person on Slack,
 * and the plan is no secret to the channel that sees the approval; the presser is told where it is.
 */
async function showPlan(ctx: EventContext, approvalId: string): Promise<void> {
  const { state, outbox } = ctx.bot;
  const record = await state.approvals.get(approvalId);
  const elsewhere = record ? await answeredWhereAsked(ctx, record) : null;
  if (elsewhere) return ctx.tell(refused(elsewhere, { title: 'Not this message' }), 'elsewhere');
  const plan = await state.plans.get(approvalId);
  const conv = record?.conversationId ? await state.conversations.get(record.conversationId) : null;
  if (!record || !plan || !conv) return ctx.tell(refused(`No plan is stored for ${approvalId} (expired or unknown).`), 'plan');
  let card: Card;
  try {
    card = planScriptCard(plan, approvalId, record.planHash);
  } catch (e) {
    // The stored plan is not the one whose hash was approved: show nothing rather than the wrong script.
    return ctx.tell(refused(`The plan stored for ${approvalId} does not match the approved one (${errorText(e)}); nothing is shown. Ask for the fix again.`), 'plan');
  }
  await outbox.reply(conv, `plan.${approvalId}`, card);
  await ctx.tell({ title: `The plan of ${approvalId} and its PowerShell`, status: 'info', sections: [{ kind: 'text', text: `Posted in the approval's thread, with the file ${card.file?.name ?? ''}.` }], actions: [] }, 'plan');
}

async function showDetails(ctx: EventContext, requestId: string): Promise<void> {
  const { bot } = ctx;
  const conv = await bot.state.conversations.get(requestId);
  if (!conv) return ctx.tell(refused('That check is too old; its details are gone. Run it again.'), 'details');
  // Only the hosts this user may check, whoever started the fleet check.
  const checkable = bot.state.policy.checkable(ctx.user);
  const all = (await bot.state.diagnoses.fleetDetails(requestId)).filter((d) => checkable(d.host));
  const cards = all.slice(0, MAX_DETAIL_HOSTS).flatMap((d) => [diagnosisRoot(d, conv.requester), ...diagnosisDetails(d)]);
  if (all.length > MAX_DETAIL_HOSTS) cards.push({ title: `… and ${all.length - MAX_DETAIL_HOSTS} more hosts`, status: 'info', sections: [{ kind: 'text', text: 'Check them one by one with `/rdp check HOST`.' }], actions: [] });
  if (!cards.length) return ctx.tell({ title: 'Every host is OK', status: 'ok', sections: [], actions: [] }, 'details');
  const at = ctx.receivedAt;
  await bot.outbox.send(conv, `details.${at}`, cards.map((card, i) => ({ op: 'reply' as const, key: `details.${at}.${i}`, card })));
}
