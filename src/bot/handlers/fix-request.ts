// fix HOST FIX_ID and undo HOST UNDO_ID, typed or clicked: a worker builds the plan (from fresh
// facts, or from the undo record) and asks for approval in the thread. A click answers in the
// clicked thread; typed text gets its own root message.
import type { HostId } from '../../config/schema.ts';
import { enqueueFix } from '../../state/queues.ts';
import type { ConversationRecord } from '../../state/conversations.ts';
import { mention } from '../../cards/text.ts';
import { refused } from '../../cards/index.ts';
import { findUndoRecord } from '../../state/undo-lookup.ts';
import type { Card, ChatUser } from '../../chat/model.ts';
import { openConversation, type EventContext } from './context.ts';

const working = (title: string, text: string, user: ChatUser): Card => ({ title, status: 'running', sections: [{ kind: 'text', text }], actions: [], footer: `Asked by ${mention(user)}` });

/** The clicked thread, or (typed) a new conversation whose root says what is being planned. */
async function planningIn(ctx: EventContext, kind: 'fix' | 'undo', host: HostId, title: string): Promise<ConversationRecord> {
  if (ctx.via === 'click') return ctx.conversation;
  const conv = await openConversation(ctx.bot, kind, ctx.where, ctx.user, host);
  await ctx.bot.outbox.root(conv, working(title, 'Building the exact plan; the approval request follows in the thread.', ctx.user));
  return conv;
}

/** A short guard so a double click plans once (the same request later plans again). */
async function firstWithin30s(ctx: EventContext, key: string): Promise<boolean> {
  return (await ctx.bot.redis.set(`${ctx.bot.state.prefix}:${key}`, '1', 'PX', 30_000, 'NX')) === 'OK';
}


export async function requestFix(ctx: EventContext, host: HostId, fixId: string): Promise<'queued' | 'duplicate'> {
  if (!(await firstWithin30s(ctx, `proposing:${ctx.repeatKey}:${fixId}`))) return 'duplicate';
  const conv = await planningIn(ctx, 'fix', host, `Planning ${fixId} on ${host}…`);
  await enqueueFix(ctx.bot.queues, { kind: 'plan', host, fixId, conversationId: conv.id, requester: ctx.user }, `plan.${conv.id}.${fixId}.${Date.now()}`);
  return 'queued';
}

/** Refused (told to the asker, nothing opened) when no undo record of that host has that id. */
export async function requestUndo(ctx: EventContext, host: HostId, undoId: string): Promise<'queued' | 'duplicate' | { refused: string }> {
  const record = await findUndoRecord(ctx.bot.state, host, undoId);
  if ('missing' in record) {
    await ctx.tell(refused(record.missing, { title: `Not undone: ${undoId}` }), `undo.${undoId}`);
    return { refused: record.missing };
  }
  if (!(await firstWithin30s(ctx, `undoing:${ctx.repeatKey}:${undoId}`))) return 'duplicate';
  const conv = await planningIn(ctx, 'undo', host, `Planning the undo of ${undoId} on ${host}…`);
  await enqueueFix(ctx.bot.queues, { kind: 'plan-undo', host, undoId, conversationId: conv.id, requester: ctx.user }, `plan-undo.${conv.id}.${undoId}`);
  return 'queued';
}

/**
 * evidence HOST, typed or clicked: a worker collects the host's evidence and posts it as a file in the
 * clicked thread, or (typed) as the root of a new conversation. The presser is told it is coming.
 */
export async function requestEvidence(ctx: EventContext, host: HostId): Promise<void> {
  const typed = ctx.via === 'typed';
  const conv = typed ? await openConversation(ctx.bot, 'info', ctx.where, ctx.user, host) : ctx.conversation;
  await enqueueFix(ctx.bot.queues, { kind: 'evidence', host, conversationId: conv.id, requester: ctx.user, post: typed ? 'root' : 'reply' }, `evidence.${conv.id}.${Date.now()}`);
  if (!typed) await ctx.tell(working(`Collecting the evidence of ${host}`, 'A fresh diagnosis with its facts; the JSON file follows in this thread.', ctx.user), `evidence.${host}`);
}
