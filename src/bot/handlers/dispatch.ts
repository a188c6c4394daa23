// One path for everything a person does: typed text, or a click (whose id stands for grammar text,
// see commandOfAction). Then one parser (with its one host lookup), one policy decision, one audit
// entry, and the subcommand. Every refusal is told to that person alone, in plain words, and
// changes nothing. Only typed text is rate limited and counted as a command (clicks answer
// messages we posted).
import { busyMessage } from '../../state/fix-lock.ts';
import { enqueueFix } from '../../state/queues.ts';
import { describePlan } from '../../rdp/fixes/describe-plan.ts';
import { showApproval } from '../../cards/approval-show.ts';
import { commandOfAction, diagnosisDetails, diagnosisRoot, error, refused } from '../../cards/index.ts';
import { isGrammarError, parseCommand, type ParsedCommand } from '../grammar.ts';
import type { Card, Inbound } from '../../chat/model.ts';
import { takeCommand } from '../../state/rate-limit.ts';
import { lastRequestOutcome } from '../../state/audit/recent.ts';
import type { REFUSAL_STAGES } from '../../state/audit/index.ts';
import { authorize } from './authorize.ts';
import { startCheck } from './check.ts';
import { eventContext, type BotContext, type EventContext } from './context.ts';
import { requestFix, requestUndo } from './fix-request.ts';
import { infoCard } from './info.ts';

const MAX_DETAIL_HOSTS = 10;

type RefusalStage = (typeof REFUSAL_STAGES)[number];

export async function handleEvent(bot: BotContext, event: Inbound): Promise<void> {
  const text = event.kind === 'command' ? event.text : commandOfAction(event.actionId);
  const ctx = await eventContext(bot, event, text ?? '');
  const platform = ctx.user.platform;
  const click = event.kind === 'action' ? { click: event.actionId.slice(0, 200) } : {};
  // Every refusal is in the audit trail too: who tried what, at which stage, and why.
  const refusal = (stage: RefusalStage, reason: string, host: string | null = null): Promise<void> =>
    ctx.audit({ kind: 'refusal', host, data: { stage, reason, text: (text ?? '').slice(0, 500), platform, ...click } });
  if (text === null) {
    await refusal('unknown-button', 'not one of our buttons');
    return ctx.tell(refused('That button is not one of mine (or it is from an older version); nothing was changed.'), 'unknown');
  }
  const count = (kind: string, outcome: 'accepted' | 'refused' | 'invalid' | 'rate-limited'): void => {
    if (ctx.via === 'typed') bot.counters?.command(platform, kind, outcome);
  };
  if (ctx.via === 'typed') {
    const rate = await takeCommand(bot.redis, ctx.user, bot.config.policy.rateLimit.commandsPerMinute);
    if (!rate.allowed) {
      count('unknown', 'rate-limited');
      await refusal('rate-limit', rate.reason);
      return ctx.tell(refused(rate.reason, { title: 'Slow down' }), 'rate');
    }
  }
  const parsed = parseCommand(text, bot.inventory, { maxTargets: bot.config.bot.maxTargets });
  if (isGrammarError(parsed)) {
    count('unknown', 'invalid');
    await refusal('grammar', parsed.message);
    return ctx.tell(error(`${parsed.message}\nType \`/rdp help\` for the commands.`, { title: 'I did not understand that' }), 'invalid');
  }
  const decision = authorize(bot.state.policy, parsed, ctx.user);
  const host = await hostOf(bot, parsed);
  if (!decision.allowed) {
    count(parsed.kind, 'refused');
    await refusal('policy', decision.reason, host);
    return ctx.tell(refused(decision.reason), 'policy');
  }
  await ctx.audit({ kind: 'command', host, data: { text, platform, outcome: 'accepted', subcommand: parsed.kind, ...click } });
  count(parsed.kind, 'accepted');
  await run(ctx, parsed);
}

/** The host a command is about, for the host's history (an approval's host for approve/reject). */
async function hostOf(bot: BotContext, p: ParsedCommand): Promise<string | null> {
  if ('host' in p) return p.host;
  if (p.kind === 'check' && p.target.by === 'host') return p.hosts[0]!;
  if (p.kind === 'approve' || p.kind === 'reject') return (await bot.state.approvals.get(p.approvalId))?.host ?? null;
  return null;
}

async function run(ctx: EventContext, parsed: ParsedCommand): Promise<void> {
  switch (parsed.kind) {
    case 'check':
      return startCheck(ctx.bot, parsed, ctx.user, ctx.where);
    case 'fix':
    case 'undo': {
      const outcome = parsed.kind === 'fix' ? await requestFix(ctx, parsed.host, parsed.fixId) : await requestUndo(ctx, parsed.host, parsed.undoId);
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
    default:
      await ctx.bot.outbox.root(ctx.conversation, await infoCard(ctx.bot, parsed, ctx.user));
  }
}

/** Approve or reject: the store decides with the policy (risk class, four-eyes), atomically. */
async function decide(ctx: EventContext, kind: 'approve' | 'reject', approvalId: string): Promise<void> {
  const { bot, user } = ctx;
  const current = await bot.state.approvals.get(approvalId);
  if (kind === 'approve' && current?.state === 'pending') {
    const holder = await bot.state.locks.holder(current.host);
    if (holder) {
      const busy = busyMessage(current.host, holder);
      await ctx.audit({ kind: 'refusal', host: current.host, data: { stage: 'busy', reason: busy, text: ctx.text, approvalId } });
      return ctx.tell(refused(busy, { title: `${current.host} is busy` }), 'busy');
    }
  }
  const t = kind === 'approve' ? await bot.state.approvals.approve(approvalId, user) : await bot.state.approvals.reject(approvalId, user);
  if (!t.ok) {
    bot.counters?.approval('refused');
    await ctx.audit({ kind: 'refusal', host: t.record?.host ?? null, data: { stage: 'decision', reason: t.reason, text: ctx.text, approvalId } });
    if (t.record) await showApproval(bot, t.record);
    return ctx.tell(refused(t.reason), 'decision');
  }
  bot.counters?.approval(kind === 'approve' ? 'approved' : 'rejected');
  const r = t.record;
  await ctx.audit({ kind: 'decision', host: r.host, data: { decision: kind === 'approve' ? 'approved' : 'rejected', approvalId, fixId: r.fixId, ...(r.undoId ? { undoId: r.undoId } : {}), planHash: r.planHash, requester: r.requester } });
  await showApproval(bot, r);
  if (kind === 'approve') await enqueueFix(bot.queues, { kind: 'apply', approvalId }, `apply.${approvalId}`);
}

async function showPlan(ctx: EventContext, approvalId: string): Promise<void> {
  const plan = await ctx.bot.state.plans.get(approvalId);
  if (!plan) return ctx.tell(refused(`No plan is stored for ${approvalId} (expired or unknown).`), 'plan');
  const card: Card = {
    title: `Plan: ${plan.title} on ${plan.host}`,
    status: 'info',
    sections: [
      { kind: 'text', text: plan.impact.summary },
      { kind: 'code', text: describePlan(plan.apply).join('\n') || '(no writes)' },
      { kind: 'fields', fields: [{ label: 'Plan hash', value: plan.hash.slice(0, 16) }, { label: 'Risk', value: plan.risk }] },
    ],
    actions: [],
  };
  await ctx.tell(card, 'plan');
}

async function showDetails(ctx: EventContext, requestId: string): Promise<void> {
  const { bot } = ctx;
  const conv = await bot.state.conversations.get(requestId);
  if (!conv) return ctx.tell(refused('That check is too old; its details are gone. Run it again.'), 'details');
  const all = await bot.state.diagnoses.fleetDetails(requestId);
  const cards = all.slice(0, MAX_DETAIL_HOSTS).flatMap((d) => [diagnosisRoot(d, conv.requester), ...diagnosisDetails(d)]);
  if (all.length > MAX_DETAIL_HOSTS) cards.push({ title: `… and ${all.length - MAX_DETAIL_HOSTS} more hosts`, status: 'info', sections: [{ kind: 'text', text: 'Check them one by one with `/rdp check HOST`.' }], actions: [] });
  if (!cards.length) return ctx.tell({ title: 'Every host is OK', status: 'ok', sections: [], actions: [] }, 'details');
  const at = ctx.receivedAt;
  await bot.outbox.send(conv, `details.${at}`, cards.map((card, i) => ({ op: 'reply' as const, key: `details.${at}.${i}`, card })));
}
