// check HOST | group:NAME | tag:NAME: the root message at once, then diagnoses on the queue. A
// host already being diagnosed is joined, not diagnosed twice; a fleet gets one summary.
import { newRunId } from '../../state/ids.ts';
import { enqueueDiagnoses, hurryDiagnose } from '../../state/queues.ts';
import type { Waiter } from '../../state/diagnosis-join.ts';
import { requestAccepted } from '../../cards/index.ts';
import type { ParsedCommand } from '../grammar.ts';
import type { ChatUser, ConversationRef } from '../../chat/model.ts';
import { openConversation, type BotContext } from './context.ts';

type Check = Extract<ParsedCommand, { kind: 'check' }>;

export async function startCheck(ctx: BotContext, cmd: Check, user: ChatUser, where: ConversationRef): Promise<void> {
  if (cmd.target.by === 'host') {
    const host = cmd.hosts[0]!;
    const conv = await openConversation(ctx, 'check', where, user, host);
    // Interim: the verdict replaces it; where Discord shows "thinking…", it is not sent on its own.
    await ctx.outbox.root(conv, requestAccepted(host, user), { interim: true });
    await diagnoseHosts(ctx, [host], { kind: 'conversation', conversationId: conv.id });
    return;
  }
  const selector = `${cmd.target.by}:${cmd.target.name}`;
  const conv = await openConversation(ctx, 'fleet', where, user, selector);
  await ctx.state.diagnoses.startFleet(conv.id, cmd.hosts.length);
  await ctx.outbox.root(conv, requestAccepted({ selector, hosts: cmd.hosts }, user));
  await diagnoseHosts(ctx, cmd.hosts, { kind: 'fleet', conversationId: conv.id });
}

/**
 * Joins or starts one diagnosis per host; new runs go on the queue in bulk. A fleet's runs queue
 * behind anything a person asked for; a person who joins a run the fleet queued hurries it.
 */
export async function diagnoseHosts(ctx: BotContext, hosts: readonly string[], waiter: Waiter): Promise<void> {
  const CHUNK = 200;
  const urgency = waiter.kind === 'fleet' ? 'fleet' : 'interactive';
  for (let i = 0; i < hosts.length; i += CHUNK) {
    const joined = await Promise.all(hosts.slice(i, i + CHUNK).map(async (host) => ({ host, ...(await ctx.state.join.join(host, waiter, newRunId())) })));
    const fresh = joined.filter((j) => j.created);
    if (fresh.length) await enqueueDiagnoses(ctx.queues, fresh.map((j) => ({ host: j.host, runId: j.runId })), urgency);
    if (urgency === 'interactive') for (const j of joined.filter((x) => !x.created)) await hurryDiagnose(ctx.queues, j.runId);
  }
}
