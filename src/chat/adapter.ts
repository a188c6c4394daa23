// The one interface every chat platform sits behind (as bolt-js puts every receiver behind one).
// Inbound: the adapter acknowledges the platform itself (Slack ack, Discord deferral) before it
// hands the event on, so the bot's work never races the platform's 3-second limit. Outbound: the
// deliver worker calls these methods; they throw DeliveryError so retries honour rate limits, and
// say whether the platform certainly did not post (so a retry knows when to look for a lost answer).
import type { Card, ChatUser, ConversationRef, Inbound, Platform } from './model.ts';

export interface PostedMessage {
  /** Platform id of the message (Slack ts, Discord message id, console sequence). */
  messageId: string;
  /** Where replies to it go (Slack: the root's ts; Discord: the thread started from it); null if none. */
  threadId: string | null;
}

export type InboundHandler = (event: Inbound) => Promise<void>;

export interface PostOptions {
  /**
   * An earlier attempt to post this key may have reached the platform (its answer never came back);
   * it began at this time. The adapter looks for that message and returns it instead of posting again.
   */
  unconfirmedSince?: Date;
}

export interface ChatAdapter {
  readonly platform: Platform;
  /** Connect and start receiving. Resolves once the adapter is ready to receive. */
  start(onInbound: InboundHandler): Promise<void>;
  /** Stop receiving and close every connection; idempotent. */
  stop(): Promise<void>;
  /**
   * Post a conversation's root message (Slack: in the channel; Discord: the deferred interaction
   * reply if the adapter still holds it, else a channel message) and open its thread.
   * `key` is stable across retries of the same message (Slack: message metadata; Discord: the nonce).
   */
  postRoot(where: ConversationRef, card: Card, key: string, opts?: PostOptions): Promise<PostedMessage>;
  /**
   * Whether the platform already shows a placeholder where the root will be (Discord: the deferred
   * "thinking…" response): an interim root may then wait briefly for the card that replaces it.
   */
  showsPlaceholder?(where: ConversationRef): boolean;
  /** Post into the conversation's thread (`where.threadId`). */
  postReply(where: ConversationRef, card: Card, key: string, opts?: PostOptions): Promise<PostedMessage>;
  /** Replace a message's content (used to show verdicts and to remove decided buttons). */
  updateMessage(where: ConversationRef, messageId: string, card: Card): Promise<void>;
  /** Show a card to one user only (refusals, plans); `where.handle` names the click it answers. */
  postEphemeral(where: ConversationRef, user: ChatUser, card: Card): Promise<void>;
}

/**
 * A delivery that did not happen. `retryAfterMs` comes from the platform (Slack 429 Retry-After,
 * Discord rate-limit buckets); `permanent` means retrying cannot help (channel gone, bad request);
 * `notSent` means the platform answered and refused, so nothing was posted. Without it the outcome
 * is unknown (a timeout, a dropped connection): the message may be there, and a retry looks first.
 */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  readonly retryAfterMs: number | undefined;
  readonly permanent: boolean;
  readonly notSent: boolean;

  constructor(message: string, opts: { retryAfterMs?: number; permanent?: boolean; notSent?: boolean; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.retryAfterMs = opts.retryAfterMs;
    this.permanent = opts.permanent ?? false;
    this.notSent = opts.notSent ?? false;
  }
}
