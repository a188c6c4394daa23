// fix HOST FIX_ID (or a "Request fix" button): a worker builds the plan from fresh facts and asks
// for approval in the thread. undo HOST UNDO_ID (or the Undo button): a worker restores the host.
import type { HostId } from '../../config/schema.ts';
import { enqueueFix } from '../../jobs/queues.ts';
import type { ConversationRecord } from '../conversations.ts';
import { type Card, type ChatUser, type ConversationRef } from '../model.ts';
import { mention } from '../cards/text.ts';
import { openConversation, type BotContext } from './context.ts';

const working = (title: string, text: string, user: ChatUser): Card => ({ title, status: 'running', sections: [{ kind: 'text', text }], actions: [], footer: `Asked by ${mention(user)}` });

/** Plans `fixId` in `conv` (the clicked diagnosis thread), or in a new conversation for a typed command. */
export async function requestFix(ctx: BotContext, host: HostId, fixId: string, user: ChatUser, where: ConversationRef, conv: ConversationRecord | null): Promise<'queued' | 'duplicate'> {
  const target = conv ?? (await openConversation(ctx, 'fix', where, user, host));
  // A double click on "Request fix" plans once; the same request later plans again (fresh facts).
  const guard = await ctx.redis.set(`${ctx.state.prefix}:proposing:${target.id}:${fixId}`, '1', 'PX', 30_000, 'NX');
  if (guard !== 'OK') return 'duplicate';
  if (!conv) await ctx.outbox.root(target, working(`Planning ${fixId} on ${host}…`, 'Reading the host to build the exact plan; the approval request follows in the thread.', user));
  await enqueueFix(ctx.queues, { kind: 'plan', host, fixId, conversationId: target.id, requester: user }, `plan.${target.id}.${fixId}.${Date.now()}`);
  return 'queued';
}

export async function requestUndo(ctx: BotContext, host: HostId, undoId: string, user: ChatUser, where: ConversationRef, conv: ConversationRecord | null): Promise<'queued' | 'duplicate'> {
  const target = conv ?? (await openConversation(ctx, 'undo', where, user, host));
  const guard = await ctx.redis.set(`${ctx.state.prefix}:undoing:${undoId}`, '1', 'PX', 30_000, 'NX');
  if (guard !== 'OK') return 'duplicate';
  if (!conv) await ctx.outbox.root(target, working(`Undoing ${undoId} on ${host}…`, 'Putting back the values the fix changed, compare-and-set; the result follows in the thread.', user));
  await enqueueFix(ctx.queues, { kind: 'undo', host, undoId, conversationId: target.id, requester: user }, `undo.${target.id}.${undoId}`);
  return 'queued';
}
