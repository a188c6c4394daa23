// A fake chat platform behind the ChatAdapter interface: records everything the deliver worker
// posts, can fail the next N deliveries (transient DeliveryError), and lets a test inject commands
// and clicks as a platform would. Used where the test is about the core, not a platform's wire.
import { EventEmitter } from 'node:events';
import { DeliveryError, type ChatAdapter, type InboundHandler, type PostedMessage } from '../../src/chat/adapter.ts';
import type { Card, ChatUser, ConversationRef, Inbound } from '../../src/chat/model.ts';

export interface Recorded {
  op: 'root' | 'reply' | 'update' | 'ephemeral';
  messageId: string;
  threadId: string | null;
  card: Card;
  key?: string;
  user?: string;
}

export class ChatRecorder implements ChatAdapter {
  readonly platform = 'console' as const;
  readonly records: Recorded[] = [];
  readonly events = new EventEmitter();
  private handler: InboundHandler | null = null;
  private seq = 0;
  /** Fail this many upcoming deliveries (any op), then succeed. */
  failNext = 0;
  failures = 0;

  async start(onInbound: InboundHandler): Promise<void> {
    this.handler = onInbound;
  }

  async stop(): Promise<void> {
    this.handler = null;
  }

  private maybeFail(): void {
    if (this.failNext > 0) {
      this.failNext--;
      this.failures++;
      throw new DeliveryError('platform answered 500', { retryAfterMs: 20 });
    }
  }

  private record(r: Recorded): void {
    this.records.push(r);
    this.events.emit('record', r);
  }

  async postRoot(_where: ConversationRef, card: Card, key: string): Promise<PostedMessage> {
    this.maybeFail();
    const messageId = `m${++this.seq}`;
    this.record({ op: 'root', messageId, threadId: messageId, card, key });
    return { messageId, threadId: messageId };
  }

  async postReply(where: ConversationRef, card: Card, key: string): Promise<PostedMessage> {
    this.maybeFail();
    const messageId = `m${++this.seq}`;
    this.record({ op: 'reply', messageId, threadId: where.threadId, card, key });
    return { messageId, threadId: where.threadId };
  }

  async updateMessage(_where: ConversationRef, messageId: string, card: Card): Promise<void> {
    this.maybeFail();
    this.record({ op: 'update', messageId, threadId: null, card });
  }

  async postEphemeral(_where: ConversationRef, user: ChatUser, card: Card): Promise<void> {
    this.maybeFail();
    this.record({ op: 'ephemeral', messageId: '', threadId: null, card, user: user.id });
  }

  /** What a platform does on a slash command (in the test channel unless `channel` says otherwise). */
  async command(text: string, user: ChatUser, opts: { channel?: string } = {}): Promise<void> {
    await this.send({ kind: 'command', text, user, where: where(null, opts.channel), receivedAt: new Date().toISOString() });
  }

  async click(actionId: string, messageId: string, user: ChatUser): Promise<void> {
    await this.send({ kind: 'action', actionId, user, where: where(messageId), messageId, receivedAt: new Date().toISOString() });
  }

  /** Any event, as a platform would hand it over (a replay is the same event again). */
  async send(event: Inbound): Promise<void> {
    if (!this.handler) throw new Error('the recorder is not started');
    await this.handler(event);
  }

  /** The newest action whose id starts with `prefix`, with the message it is on. */
  action(prefix: string): { id: string; messageId: string } {
    for (const r of [...this.records].reverse()) {
      const a = r.card.actions.find((x) => x.id.startsWith(prefix));
      if (a) return { id: a.id, messageId: r.messageId };
    }
    throw new Error(`no action ${prefix}… in ${this.records.length} records`);
  }
}

export const TEST_CHANNEL = 'C-test';

const where = (messageId: string | null = null, channel = TEST_CHANNEL): ConversationRef => ({ platform: 'console', channel, rootMessageId: messageId, threadId: messageId, handle: null });

export const person = (id: string, groups: string[] = []): ChatUser => ({ platform: 'console', id, name: id, groups });
