// The bot's answers: Cards as chat.postMessage / chat.update / chat.postEphemeral. A card too long
// for one message continues in the thread; a retry with the same key resumes after the parts that
// were already posted. Every post carries its key in Slack message metadata, so when an earlier
// attempt's answer was lost (it timed out after Slack accepted it) the retry finds the message in
// conversations.history / conversations.replies instead of posting it again.
import type { webApi } from '@slack/bolt';
import type { PostedMessage, PostOptions } from '../../chat/adapter.ts';
import type { Card, CardFile, ChatUser, ConversationRef } from '../../chat/model.ts';
import type { SlackMessage } from './block-types.ts';
import type { AdapterLogger } from './logger.ts';
import { renderCard } from './render.ts';
import { toDeliveryError } from './delivery-error.ts';

interface Progress {
  first: PostedMessage;
  /** Parts posted so far (the first included). */
  posted: number;
}

/** Said in place of a file on an ephemeral card: Slack files are shared in a channel, never to one person. */
export const NO_EPHEMERAL_FILE = 'The file cannot be shown in a message only you see; ask again in the channel.';

/** Keys remembered for resuming; old ones are forgotten first. */
const MAX_KEYS = 2_000;

/** The metadata event type of every message rdp-medic posts; its payload names the delivery key. */
export const METADATA_EVENT_TYPE = 'rdp_medic_message';

/** How far back a lost post is looked for: pages of channel history and of a thread's replies. */
const LOOKUP = { historyPages: 2, repliesPages: 5, pageSize: 100 } as const;

interface SlackListed {
  ts?: string;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

/** The part number of `m` if its metadata names `key`; null otherwise. */
function partOf(m: SlackListed, key: string): number | null {
  const md = m.metadata;
  if (md?.event_type !== METADATA_EVENT_TYPE || md.event_payload?.key !== key) return null;
  const part = Number(md.event_payload.part ?? 0);
  return Number.isInteger(part) && part >= 0 ? part : null;
}

export class SlackOutbound {
  private readonly progress = new Map<string, Progress>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly opts: { oncallGroupId?: string; redact: (s: string) => string; log?: AdapterLogger },
  ) {}

  private render(card: Card, maxParts?: number): SlackMessage[] {
    return renderCard(card, { oncallGroupId: this.opts.oncallGroupId, maxParts });
  }

  private async call<T>(method: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw toDeliveryError(e, method, this.opts.redact);
    }
  }

  private async post(channel: string, m: SlackMessage, threadTs: string | null, key: string, part: number): Promise<string> {
    const res = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel,
        text: m.text,
        blocks: m.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        metadata: { event_type: METADATA_EVENT_TYPE, event_payload: { key, part } },
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (!res.ts) throw toDeliveryError(new Error('chat.postMessage returned no ts'), 'chat.postMessage');
    return res.ts;
  }

  /**
   * A card's file into the thread of its message (files.uploadV2: files.getUploadURLExternal, the
   * bytes to the URL Slack gives, files.completeUploadExternal). The message goes first, so the
   * message key finds a lost post as before; a retry after a failed upload uploads again.
   */
  private async upload(channel: string, threadTs: string, file: CardFile): Promise<void> {
    await this.call('files.uploadV2', () =>
      this.client.files.uploadV2({ channel_id: channel, thread_ts: threadTs, file: Buffer.from(file.content, 'utf8'), filename: file.name, title: file.name }),
    );
  }

  private remember(key: string, p: Progress): void {
    this.progress.delete(key);
    this.progress.set(key, p);
    if (this.progress.size > MAX_KEYS) this.progress.delete(this.progress.keys().next().value as string);
  }

  /** Messages of a thread (its parent first), page by page, with their metadata. */
  private async *threadMessages(channel: string, threadTs: string): AsyncGenerator<SlackListed> {
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP.repliesPages; page++) {
      const res = await this.call('conversations.replies', () =>
        this.client.conversations.replies({ channel, ts: threadTs, limit: LOOKUP.pageSize, include_all_metadata: true, ...(cursor ? { cursor } : {}) }),
      );
      yield* (res.messages ?? []) as SlackListed[];
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) return;
    }
  }

  /** The newest messages of a channel (thread replies not included), with their metadata. */
  private async *channelMessages(channel: string): AsyncGenerator<SlackListed> {
    let cursor: string | undefined;
    for (let page = 0; page < LOOKUP.historyPages; page++) {
      const res = await this.call('conversations.history', () =>
        this.client.conversations.history({ channel, limit: LOOKUP.pageSize, include_all_metadata: true, ...(cursor ? { cursor } : {}) }),
      );
      yield* (res.messages ?? []) as SlackListed[];
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!res.has_more || !cursor) return;
    }
  }

  /**
   * The parts of `key` Slack already holds (part number -> ts), looked up through their metadata:
   * the head in the channel (a root) or in its thread (a reply), the continuations in the thread.
   */
  private async findPosted(channel: string, key: string, threadTs: string | null, parts: number): Promise<Map<number, string>> {
    const found = new Map<number, string>();
    let thread = threadTs;
    if (!thread) {
      for await (const m of this.channelMessages(channel)) {
        if (partOf(m, key) === 0 && m.ts) {
          found.set(0, m.ts);
          thread = m.ts;
          break;
        }
      }
      // A one-part root has nothing in its thread to look for.
      if (!thread || parts === 1) return found;
    }
    for await (const m of this.threadMessages(channel, thread)) {
      const part = partOf(m, key);
      if (part !== null && m.ts && !found.has(part)) found.set(part, m.ts);
    }
    return found;
  }

  /** What an earlier attempt whose answer was lost already posted, as progress to resume from. */
  private async lostProgress(channel: string, key: string, threadTs: string | null, parts: number): Promise<Progress | undefined> {
    let found: Map<number, string>;
    try {
      found = await this.findPosted(channel, key, threadTs, parts);
    } catch (e) {
      const err = toDeliveryError(e, 'lookup');
      // Without the history scopes (an app installed before they were asked for) the lookup can
      // never work: post, and say so. Anything else (a 429, a timeout) is retried as usual.
      if (!err.permanent) throw err;
      const hint = /missing_scope/.test(err.message) ? ' (reinstall the app: it needs channels:history and groups:history)' : '';
      this.opts.log?.warn({ err: err.message }, `slack: cannot look for a message whose answer was lost; posting it again${hint}`);
      return undefined;
    }
    const head = found.get(0);
    if (!head) return undefined;
    let posted = 1;
    while (found.has(posted)) posted++;
    return { first: { messageId: head, threadId: threadTs ?? head }, posted };
  }

  /** Posts the parts of a card; `threadTs` null means the first part opens a new thread. */
  private async postParts(where: ConversationRef, card: Card, key: string, threadTs: string | null, opts: PostOptions): Promise<PostedMessage> {
    const parts = this.render(card);
    const known = this.progress.get(key);
    // An answer lost mid-card: Slack may hold more parts than this process saw confirmed.
    const lost = opts.unconfirmedSince ? await this.lostProgress(where.channel, key, threadTs, parts.length) : undefined;
    const done = known && (!lost || known.posted >= lost.posted) ? known : lost;
    let first = done?.first;
    let posted = done?.posted ?? 0;
    if (!first) {
      const [head] = parts;
      if (!head) throw toDeliveryError(new Error('nothing to post'), 'chat.postMessage');
      const ts = await this.post(where.channel, head, threadTs, key, 0);
      first = { messageId: ts, threadId: threadTs ?? ts };
      posted = 1;
      if (parts.length > 1 || card.file) this.remember(key, { first, posted });
    }
    for (const part of parts.slice(posted)) {
      await this.post(where.channel, part, first.threadId, key, posted);
      posted += 1;
      this.remember(key, { first, posted });
    }
    if (card.file) await this.upload(where.channel, first.threadId ?? first.messageId, card.file);
    this.progress.delete(key);
    return first;
  }

  postRoot(where: ConversationRef, card: Card, key: string, opts: PostOptions = {}): Promise<PostedMessage> {
    return this.postParts(where, card, key, null, opts);
  }

  postReply(where: ConversationRef, card: Card, key: string, opts: PostOptions = {}): Promise<PostedMessage> {
    // Without a thread yet, the reply starts one (the bot always posts a root first, so this is a fallback).
    return this.postParts(where, card, key, where.threadId ?? where.rootMessageId, opts);
  }

  async updateMessage(where: ConversationRef, messageId: string, card: Card): Promise<void> {
    // An update replaces one message: cut to one part (blocks replaced whole, so decided buttons vanish).
    const [m] = this.render(card, 1);
    if (!m) return;
    await this.call('chat.update', () => this.client.chat.update({ channel: where.channel, ts: messageId, text: m.text, blocks: m.blocks }));
  }

  async postEphemeral(where: ConversationRef, user: ChatUser, card: Card): Promise<void> {
    const threadTs = where.threadId ?? undefined;
    const shown: Card = card.file ? { ...card, file: undefined, sections: [...card.sections, { kind: 'text', text: NO_EPHEMERAL_FILE }] } : card;
    for (const m of this.render(shown)) {
      await this.call('chat.postEphemeral', () =>
        this.client.chat.postEphemeral({ channel: where.channel, user: user.id, text: m.text, blocks: m.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }),
      );
    }
  }
}
