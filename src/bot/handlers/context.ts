// What every handler is given. BotContext: the services (configuration, shared state, queues,
// outbox). EventContext: one person's one event, as Probot's Context: who, where, the
// conversation it belongs to, and how to answer (tell), show (reply) and record it (audit).
import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.ts';
import { newConversationId } from '../../state/ids.ts';
import type { Outbox } from '../../state/outbox.ts';
import type { Queues } from '../../state/queues.ts';
import type { SharedState } from '../../state/shared-state.ts';
import type { Logger } from '../../log.ts';
import { actorOf, type AuditInput } from '../../state/audit/index.ts';
import type { ConversationKind, ConversationRecord } from '../../state/conversations.ts';
import type { Inventory } from '../grammar.ts';
import type { Card, ChatUser, ConversationRef, Inbound } from '../../chat/model.ts';

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

export interface EventContext {
  bot: BotContext;
  user: ChatUser;
  where: ConversationRef;
  via: 'typed' | 'click';
  /** The clicked message's platform id (a click), else null. */
  messageId: string | null;
  /** ISO time the adapter received the event (keys answers, so a redelivered event answers once). */
  receivedAt: string;
  /** What the event said as grammar text (a click's id turned into the command it stands for). */
  text: string;
  /**
   * Where answers to this event go: the clicked message's conversation (or, for a message we do not
   * index, a fresh one in the clicked thread); for typed text, a fresh one where it was typed.
   */
  conversation: ConversationRecord;
  /** What a repeat of this event would share: the clicked message (a double click), else nothing. */
  repeatKey: string;
  /** Shows `card` to this user only; `key` names it so a retried event tells it once. */
  tell(card: Card, key: string): Promise<void>;
  /** Appends an audit entry with this user as the actor. */
  audit(entry: Omit<AuditInput, 'actor' | 'actorName'>): Promise<void>;
}

export async function openConversation(ctx: BotContext, kind: ConversationKind, where: ConversationRef, requester: ChatUser, subject: string): Promise<ConversationRecord> {
  // A command starts a new root message: whatever thread it was typed in, the answer gets its own.
  const ref = { ...where, rootMessageId: null, threadId: kind === 'info' ? where.threadId : null };
  return ctx.state.conversations.create({ id: newConversationId(), kind, ref, requester, createdAt: new Date().toISOString(), subject });
}

/** The context of one event; `text` is the grammar text it stands for (see commandOfAction). */
export async function eventContext(bot: BotContext, event: Inbound, text: string): Promise<EventContext> {
  const clicked = event.kind === 'action' ? await bot.state.conversations.byMessage(event.user.platform, event.messageId) : null;
  const conversation = clicked ?? (await openConversation(bot, 'info', event.where, event.user, ''));
  // A click's answers are keyed by who clicked when: two clicks are two answers.
  const suffix = event.kind === 'action' ? `.${event.user.id}.${event.receivedAt}` : '';
  return {
    bot,
    user: event.user,
    where: event.where,
    via: event.kind === 'action' ? 'click' : 'typed',
    messageId: event.kind === 'action' ? event.messageId : null,
    receivedAt: event.receivedAt,
    text,
    conversation,
    repeatKey: event.kind === 'action' ? `${event.user.platform}:${event.messageId}` : conversation.id,
    tell: (card, key) => bot.outbox.ephemeral(conversation, `${key}${suffix}`, event.user, event.where, card),
    audit: async (entry) => {
      await bot.state.audit.append({ ...entry, ...actorOf(event.user) } as AuditInput);
    },
  };
}
