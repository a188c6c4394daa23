// The bot's answers: Cards as chat.postMessage / chat.update / chat.postEphemeral. A card too long
// for one message continues in the thread; a retry with the same key resumes after the parts that
// were already posted, so the deliver queue's retries never post a root twice (in this process).
import type { webApi } from '@slack/bolt';
import type { PostedMessage } from '../../chat/adapter.ts';
import type { Card, ChatUser, ConversationRef } from '../../chat/model.ts';
import type { SlackMessage } from './block-types.ts';
import { renderCard } from './render.ts';
import { toDeliveryError } from './delivery-error.ts';

interface Progress {
  first: PostedMessage;
  /** Parts posted so far (the first included). */
  posted: number;
}

/** Keys remembered for resuming; old ones are forgotten first. */
const MAX_KEYS = 2_000;

export class SlackOutbound {
  private readonly progress = new Map<string, Progress>();

  constructor(
    private readonly client: webApi.WebClient,
    private readonly opts: { oncallGroupId?: string; redact: (s: string) => string },
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

  private async post(channel: string, m: SlackMessage, threadTs: string | null): Promise<string> {
    const res = await this.call('chat.postMessage', () =>
      this.client.chat.postMessage({
        channel,
        text: m.text,
        blocks: m.blocks,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
    if (!res.ts) throw toDeliveryError(new Error('chat.postMessage returned no ts'), 'chat.postMessage');
    return res.ts;
  }

  private remember(key: string, p: Progress): void {
    this.progress.delete(key);
    this.progress.set(key, p);
    if (this.progress.size > MAX_KEYS) this.progress.delete(this.progress.keys().next().value as string);
  }

  /** Posts the parts of a card; `threadTs` null means the first part opens a new thread. */
  private async postParts(where: ConversationRef, card: Card, key: string, threadTs: string | null): Promise<PostedMessage> {
    const parts = this.render(card);
    const done = this.progress.get(key);
    let first = done?.first;
    let posted = done?.posted ?? 0;
    if (!first) {
      const [head] = parts;
      if (!head) throw toDeliveryError(new Error('nothing to post'), 'chat.postMessage');
      const ts = await this.post(where.channel, head, threadTs);
      first = { messageId: ts, threadId: threadTs ?? ts };
      posted = 1;
      if (parts.length > 1) this.remember(key, { first, posted });
    }
    for (const part of parts.slice(posted)) {
      await this.post(where.channel, part, first.threadId);
      posted += 1;
      this.remember(key, { first, posted });
    }
    this.progress.delete(key);
    return first;
  }

  postRoot(where: ConversationRef, card: Card, key: string): Promise<PostedMessage> {
    return this.postParts(where, card, key, null);
  }

  postReply(where: ConversationRef, card: Card, key: string): Promise<PostedMessage> {
    // Without a thread yet, the reply starts one (the bot always posts a root first, so this is a fallback).
    return this.postParts(where, card, key, where.threadId ?? where.rootMessageId);
  }

  async updateMessage(where: ConversationRef, messageId: string, card: Card): Promise<void> {
    // An update replaces one message: cut to one part (blocks replaced whole, so decided buttons vanish).
    const [m] = this.render(card, 1);
    if (!m) return;
    await this.call('chat.update', () => this.client.chat.update({ channel: where.channel, ts: messageId, text: m.text, blocks: m.blocks }));
  }

  async postEphemeral(where: ConversationRef, user: ChatUser, card: Card): Promise<void> {
    const threadTs = where.threadId ?? undefined;
    for (const m of this.render(card)) {
      await this.call('chat.postEphemeral', () =>
        this.client.chat.postEphemeral({ channel: where.channel, user: user.id, text: m.text, blocks: m.blocks, ...(threadTs ? { thread_ts: threadTs } : {}) }),
      );
    }
  }
}
