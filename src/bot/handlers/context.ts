// What every handler is given: configuration, shared state, the queues and the outbox.
import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.ts';
import type { Outbox } from '../../jobs/outbox.ts';
import type { Queues } from '../../jobs/queues.ts';
import type { SharedState } from '../../jobs/state.ts';
import type { Logger } from '../../log.ts';
import type { ConversationKind, ConversationRecord } from '../conversations.ts';
import type { Inventory } from '../grammar.ts';
import type { Card, ChatUser, ConversationRef } from '../model.ts';
import { newConversationId } from '../../jobs/ids.ts';

export interface BotCounters {
  command(platform: string, subcommand: string, outcome: 'accepted' | 'refused' | 'invalid' | 'rate-limited'): void;
  approval(transition: 'approved' | 'rejected' | 'expired' | 'refused'): void;
}

export interface BotContext {
  config: Config;
  inventory: Inventory;
  redis: Redis;
  state: SharedState;
  queues: Queues;
  outbox: Outbox;
  logger: Logger;
  counters?: BotCounters;
}

export async function openConversation(ctx: BotContext, kind: ConversationKind, where: ConversationRef, requester: ChatUser, subject: string): Promise<ConversationRecord> {
  // A command starts a new root message: whatever thread it was typed in, the answer gets its own.
  const ref = { ...where, rootMessageId: null, threadId: kind === 'info' ? where.threadId : null };
  return ctx.state.conversations.create({ id: newConversationId(), kind, ref, requester, createdAt: new Date().toISOString(), subject });
}

/** Shows `card` to `user` only, answering the event at `where`. */
export async function tell(ctx: BotContext, conv: ConversationRecord, user: ChatUser, where: ConversationRef, card: Card, key: string): Promise<void> {
  await ctx.outbox.ephemeral(conv, key, user, where, card);
}
