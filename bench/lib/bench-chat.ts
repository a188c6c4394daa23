// A chat platform for benches: the bot posts here, and each post is timestamped, so a bench can
// measure "command to first reply" and "command to complete summary" as a user would see them.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { ChatAdapter, InboundHandler, PostedMessage } from '../../src/chat/adapter.ts';
import type { Card, ChatUser, ConversationRef } from '../../src/chat/model.ts';

export interface Post {
  at: number;
  op: 'root' | 'reply' | 'update' | 'ephemeral';
  messageId: string;
  card: Card;
}

export class BenchChat implements ChatAdapter {
  readonly platform = 'console' as const;
  // One listener per command in flight (a bench sends a hundred while the fleet runs).
  readonly posts = new EventEmitter().setMaxListeners(0);
  private handler: InboundHandler | null = null;
  private seq = 0;

  async start(onInbound: InboundHandler): Promise<void> {
    this.handler = onInbound;
  }
  async stop(): Promise<void> {
    this.handler = null;
  }
  private emit(op: Post['op'], messageId: string, card: Card): void {
    this.posts.emit('post', { at: performance.now(), op, messageId, card } satisfies Post);
  }
  async postRoot(_w: ConversationRef, card: Card): Promise<PostedMessage> {
    const messageId = `m${++this.seq}`;
    this.emit('root', messageId, card);
    return { messageId, threadId: messageId };
  }
  async postReply(w: ConversationRef, card: Card): Promise<PostedMessage> {
    const messageId = `m${++this.seq}`;
    this.emit('reply', messageId, card);
    return { messageId, threadId: w.threadId };
  }
  async updateMessage(_w: ConversationRef, messageId: string, card: Card): Promise<void> {
    this.emit('update', messageId, card);
  }
  async postEphemeral(_w: ConversationRef, _u: ChatUser, card: Card): Promise<void> {
    this.emit('ephemeral', '', card);
  }

  /** Sends a command; resolves with the time (ms) until its root message was posted, and a promise of the time until its verdict. */
  async command(text: string, user: ChatUser, channel: string): Promise<{ firstReplyMs: number; rootId: string; verdictMs: Promise<number> }> {
    const t = performance.now();
    // Listening from the start: the verdict may replace the root before `command` resolves.
    const verdicts: Post[] = [];
    const collect = (p: Post): void => {
      if (p.op === 'update' && p.card.status !== 'running') verdicts.push(p);
    };
    this.posts.on('post', collect);
    const root = new Promise<Post>((resolve) => {
      const on = (p: Post): void => {
        if (p.op === 'root' && p.card.footer?.includes(`@${user.name}`) && p.card.title.includes(text.split(' ').at(-1)!)) {
          this.posts.off('post', on);
          resolve(p);
        }
      };
      this.posts.on('post', on);
    });
    await this.handler!({ kind: 'command', text, user, where: { platform: 'console', channel, rootMessageId: null, threadId: null, handle: null }, receivedAt: new Date().toISOString() });
    const p = await root;
    const verdictMs = new Promise<number>((resolve) => {
      const done = (v: Post): void => {
        this.posts.off('post', collect);
        this.posts.off('post', later);
        resolve(v.at - t);
      };
      const later = (v: Post): void => {
        if (v.op === 'update' && v.messageId === p.messageId && v.card.status !== 'running') done(v);
      };
      const early = verdicts.find((v) => v.messageId === p.messageId);
      if (early) done(early);
      else this.posts.on('post', later);
    });
    return { firstReplyMs: p.at - t, rootId: p.messageId, verdictMs };
  }
}
