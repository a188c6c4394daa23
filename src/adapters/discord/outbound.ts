// What the Discord adapter posts: the deferred response becomes the root message while its token
// lives, a channel message (nonce = key) otherwise; threads start from it. Replies go to the
// thread, updates through the interaction's webhook while it lives, ephemerals as follow-ups.
// A channel message whose earlier post answer was lost is looked for before it is sent again.
import { DiscordAPIError, MessageFlags, type Client } from 'discord.js';
import type { ChatAdapter, PostedMessage, PostOptions } from '../../chat/adapter.ts';
import type { Card, ChatUser, ConversationRef } from '../../chat/model.ts';
import { toDeliveryError } from './errors.ts';
import { LIMITS } from './limits.ts';
import type { LiveInteraction, LiveInteractions } from './live-interactions.ts';
import { findLostPost } from './lost-posts.ts';
import { nonceOf } from './nonce.ts';
import { renderCard, type DiscordMessage } from './render.ts';
import { filesOf } from './attachment.ts';
import { clip } from './render-text.ts';
import type { DiscordRest } from './rest-calls.ts';
import type { DiscordSettings } from './settings.ts';

/** Discord's "a thread has already been created for this message": a retried postRoot. */
const THREAD_EXISTS = 160004;
/** Token-dead codes: the interaction can no longer be answered through its webhook. */
const TOKEN_DEAD = new Set([10015, 10062, 50027]);

const isTokenDead = (e: unknown): boolean => e instanceof DiscordAPIError && TOKEN_DEAD.has(Number(e.code));

/** A thread name from the card title: plain text, 1-100 characters. */
const threadNameOf = (card: Card): string => clip(card.title.replace(/\s+/g, ' ').trim(), LIMITS.threadName) || 'rdp-medic';

export interface OutboundSession {
  settings: DiscordSettings;
  live: LiveInteractions;
  /** The connected client and REST calls (throws a DeliveryError when not started). */
  need(): { client: Client; rest: DiscordRest };
}

export function discordOutbound({ settings, live, need }: OutboundSession): Pick<ChatAdapter, 'showsPlaceholder' | 'postRoot' | 'postReply' | 'updateMessage' | 'postEphemeral'> {
  /** Threads we opened -> their parent channel (a root message lives in the parent). */
  const threadParents = new Map<string, string>();

  /** Starts the thread replies go to; a retry finds it already there (same id as the message). */
  async function openThread(r: DiscordRest, channelId: string, messageId: string, card: Card): Promise<string> {
    try {
      const thread = await r.startThread(channelId, messageId, threadNameOf(card));
      threadParents.set(thread.id, channelId);
      return thread.id;
    } catch (e) {
      if (e instanceof DiscordAPIError && Number(e.code) === THREAD_EXISTS) {
        threadParents.set(messageId, channelId);
        return messageId;
      }
      throw e;
    }
  }
  
  const isThreadChannel = (c: Client, channelId: string): boolean => c.channels.cache.get(channelId)?.isThread() ?? false;
  
  /** The channel a message lives in: a thread's root lives in the thread's parent. */
  async function channelOfMessage(c: Client, r: DiscordRest, where: ConversationRef, messageId: string): Promise<string> {
    if (where.threadId && messageId === where.threadId) {
      if (where.channel !== where.threadId) return where.channel;
      const cached = c.channels.cache.get(where.threadId);
      const known = threadParents.get(where.threadId) ?? (cached?.isThread() ? cached.parentId : null);
      if (known) return known;
      const fetched = (await r.getChannel(where.threadId)) as { parent_id?: string | null };
      return fetched.parent_id ?? where.channel;
    }
    if (messageId === where.rootMessageId) return where.channel;
    return where.threadId ?? where.channel;
  }
  
  /**
   * Creates a channel (or thread) message once: enforce_nonce answers a retry within Discord's few
   * minutes, and after a lost answer the bot's recent messages are searched for it first.
   */
  async function createOnce(c: Client, r: DiscordRest, channelId: string, body: DiscordMessage, key: string, opts: PostOptions, card: Card): Promise<{ id: string }> {
    if (opts.unconfirmedSince) {
      const found = await findLostPost(r, channelId, body, opts.unconfirmedSince, c.user?.id);
      if (found) return found;
    }
    return r.createMessage(channelId, { ...body, nonce: nonceOf(key), enforce_nonce: true }, filesOf(card));
  }

  /** Runs `fn` with the interaction's token unless it died meanwhile; false means "use the fallback". */
  async function viaToken(entry: LiveInteraction | undefined, fn: (token: string) => Promise<void>): Promise<boolean> {
    if (!entry) return false;
    try {
      await fn(entry.interaction.token);
      return true;
    } catch (e) {
      if (isTokenDead(e)) return false;
      throw e;
    }
  }

  return {
    // A deferred command shows "thinking…" until its first edit: that edit can as well be the verdict.
    showsPlaceholder(where: ConversationRef): boolean {
      const entry = live.get(where.handle);
      return entry?.kind === 'command' && !entry.answered;
    },

    async postRoot(where: ConversationRef, card: Card, key: string, opts: PostOptions = {}): Promise<PostedMessage> {
    const { client: c, rest: r } = need();
    const body = renderCard(card, { ...(settings.oncallRoleId ? { oncallRoleId: settings.oncallRoleId } : {}) });
    try {
      const entry = live.get(where.handle);
      if (entry?.kind === 'command') {
        let posted: PostedMessage | null = null;
        const ok = await viaToken(entry, async (token) => {
          const msg = await r.editInteractionMessage(token, '@original', body, filesOf(card));
          entry.answered = true;
          live.rememberOriginal(msg.id, entry.interaction.id);
          const channelId = msg.channel_id ?? where.channel;
          posted = { messageId: msg.id, threadId: entry.inThread ? channelId : await openThread(r, channelId, msg.id, card) };
        });
        if (ok && posted) return posted;
      }
      const msg = await createOnce(c, r, where.channel, body, key, opts, card);
      if (isThreadChannel(c, where.channel)) return { messageId: msg.id, threadId: where.channel };
      return { messageId: msg.id, threadId: await openThread(r, where.channel, msg.id, card) };
    } catch (e) {
      throw toDeliveryError(e, 'postRoot');
    }
  },

  async postReply(where: ConversationRef, card: Card, key: string, opts: PostOptions = {}): Promise<PostedMessage> {
    const { client: c, rest: r } = need();
    const body = renderCard(card, { ...(settings.oncallRoleId ? { oncallRoleId: settings.oncallRoleId } : {}) });
    try {
      const msg = await createOnce(c, r, where.threadId ?? where.channel, body, key, opts, card);
      return { messageId: msg.id, threadId: where.threadId };
    } catch (e) {
      throw toDeliveryError(e, 'postReply');
    }
  },

  async updateMessage(where: ConversationRef, messageId: string, card: Card): Promise<void> {
    const { client: c, rest: r } = need();
    // A card without actions has no buttons left: the decided card removes them.
    const body = renderCard(card, { ...(settings.oncallRoleId ? { oncallRoleId: settings.oncallRoleId } : {}), components: card.actions.length ? 'active' : 'none' });
    try {
      // While a token lives, its webhook edits the interaction's own message (the command's
      // response, or the message a clicked button sits on) without knowing the channel.
      const original = live.originalOf(messageId);
      if (await viaToken(original, async (t) => void (await r.editInteractionMessage(t, '@original', body)))) return;
      const click = live.get(where.handle);
      const onClicked = click?.kind === 'button' && click.interaction.message.id === messageId ? click : undefined;
      if (await viaToken(onClicked, async (t) => void (await r.editInteractionMessage(t, '@original', body)))) return;
      await r.editMessage(await channelOfMessage(c, r, where, messageId), messageId, body);
    } catch (e) {
      throw toDeliveryError(e, 'updateMessage');
    }
  },

  async postEphemeral(where: ConversationRef, user: ChatUser, card: Card): Promise<void> {
    const { rest: r } = need();
    try {
      const entry = live.get(where.handle);
      const sent = await viaToken(entry, async (token) => {
        // A deferred command's first follow-up would take the place of its public "thinking…"
        // response (and be public): remove that placeholder first so this one stays private.
        if (entry?.kind === 'command' && !entry.answered) {
          await r.deleteOriginal(token);
          entry.answered = true;
        }
        await r.followUp(token, { ...renderCard(card), flags: MessageFlags.Ephemeral }, filesOf(card));
      });
      if (sent) return;
      // No live interaction (expired, or none): Discord has no ephemeral messages outside
      // interactions, so the card goes to the thread, addressed to the user by mention.
      await r.createMessage(where.threadId ?? where.channel, renderCard(card, { mentionUserId: user.id }), filesOf(card));
    } catch (e) {
      throw toDeliveryError(e, 'postEphemeral');
    }
  },
  };
}
