// The deliver job: a conversation's messages, in order, through the platform's adapter. Each
// delivered message leaves a receipt, so a retry (after a 429, a 500, a crash) skips what already
// went out; a post whose answer was lost is looked up before it is sent again. Replies wait for
// their root and updates for their message; waiting is not a failed attempt. Failures are retried
// with the platform's Retry-After for a window of time from the first failure; what still fails
// then goes to the dead-letter list (state/dead-letters.ts), as does a message whose wait is over
// because what it waited for was given up on.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { DeliveryError, type ChatAdapter, type PostOptions } from '../chat/adapter.ts';
import type { ConversationRecord, ConversationStore } from '../state/conversations.ts';
import type { Platform } from '../chat/model.ts';
import { messageKeysOf, type DeadLetters } from '../state/dead-letters.ts';
import { DeliverJob, type OutboundMessage } from '../state/schemas.ts';
import type { UnconfirmedPosts } from '../state/unconfirmed-posts.ts';
import type { Logger } from '../log.ts';
import { errorText } from '../lib/error-text.ts';
import { scrubText } from '../lib/scrub.ts';

/** The root (or the message to update) is not delivered yet: look again shortly, without counting an attempt. */
export class NotReadyError extends Error {
  override readonly name = 'NotReadyError';
  constructor(
    /** The receipt key of the message waited for ('root', or a reply's key). */
    readonly waitingFor: string,
    message: string,
  ) {
    super(message);
  }
}

/** An interim root held while the platform shows a placeholder: look again at `until` (or when hurried). */
class HeldError extends Error {
  override readonly name = 'HeldError';
  constructor(readonly until: number) {
    super('an interim root waits for the update that replaces it');
  }
}

/**
 * How long an interim root waits for its update where the platform shows a placeholder: a verdict
 * within this time replaces "thinking…" in one edit; a slower one shows the interim card first.
 */
export const INTERIM_HOLD_MS = 2_500;

export type DeliveryOutcome = 'delivered' | 'retried' | 'waited' | 'failed';

export interface DeliverDeps {
  adapters: ReadonlyMap<Platform, ChatAdapter>;
  conversations: ConversationStore;
  unconfirmed: UnconfirmedPosts;
  deadLetters: DeadLetters;
  logger: Logger;
  /** How long a message is retried after its first failed attempt (config: bot.deliveryRetryWindowMs). */
  retryWindowMs: number;
  /** Runs a conversation's held root delivery now (its update is here). */
  hurryRoot?(conversationId: string): Promise<void>;
  /** How long an interim root is held (config: bot.interimHoldMs; default INTERIM_HOLD_MS). */
  interimHoldMs?: number;
  onDelivered?(platform: Platform, outcome: DeliveryOutcome): void;
  now?: () => number;
}

/** Backoff floor: a Retry-After of 0 must not become a busy loop against the platform. */
const MIN_DELAY_MS = 250;

/** BullMQ backoff: the platform's Retry-After when it gave one, else 250 ms doubling to 30 s. */
export function deliverBackoff(attemptsMade: number, _type?: string, err?: Error): number {
  if (err instanceof DeliveryError && err.retryAfterMs !== undefined) return Math.max(MIN_DELAY_MS, err.retryAfterMs);
  return Math.min(MIN_DELAY_MS * 2 ** Math.max(0, attemptsMade - 1), 30_000);
}

/** How long a waiting message sleeps before looking again: 200 ms, growing with the wait to 2 s. */
export const waitDelayMs = (waitedMs: number): number => Math.min(2_000, Math.max(200, Math.round(waitedMs / 10)));

const minutes = (ms: number): string => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${Math.round(ms / 60_000)} min`);

/** The conversation expired (7 days): there is nowhere left to deliver to. */
class ConversationGoneError extends UnrecoverableError {}

export function deliverProcessor(deps: DeliverDeps) {
  const windowMs = deps.retryWindowMs;
  // A message may wait for another as long as that one may be retried, twice over (the one it
  // waits for may itself wait in a backlog before it fails); then it is given up on too.
  const waitLimitMs = 2 * windowMs;
  const now = deps.now ?? Date.now;

  async function giveUp(job: Job, data: DeliverJob, reason: string): Promise<never> {
    const id = String(job.id);
    const { failingSince, ...again } = data;
    await deps.deadLetters.add({
      id,
      platform: data.platform,
      conversationId: data.conversationId,
      keys: messageKeysOf(data),
      reason: scrubText(reason).slice(0, 1000),
      failedAt: new Date(now()).toISOString(),
      failingSince: failingSince ? new Date(failingSince).toISOString() : null,
      attempts: job.attemptsMade + 1,
      job: again,
    });
    deps.onDelivered?.(data.platform, 'failed');
    deps.logger.error({ job: id, conversation: data.conversationId, reason }, 'delivery given up: moved to the dead-letter list (rdp-medic deliveries list)');
    throw new UnrecoverableError(reason);
  }

  /** Waits for the message it depends on without spending an attempt, unless that one was given up on. */
  async function wait(job: Job, token: string | undefined, data: DeliverJob, e: NotReadyError): Promise<never> {
    const dead = await deps.deadLetters.holding(data.conversationId, e.waitingFor);
    if (dead) return giveUp(job, data, `waits for message "${e.waitingFor}", which was not delivered (dead letter ${dead}); re-drive that one first`);
    const waited = now() - job.timestamp;
    if (waited > waitLimitMs) return giveUp(job, data, `waited ${minutes(waited)} for message "${e.waitingFor}" of ${data.conversationId}, which never arrived`);
    deps.onDelivered?.(data.platform, 'waited');
    await job.moveToDelayed(now() + waitDelayMs(waited), token);
    throw new DelayedError(e.message);
  }

  /** A failed attempt: retried after the backoff while within the window, else given up on. */
  async function failed(job: Job, data: DeliverJob, e: unknown): Promise<never> {
    const err = e instanceof DeliveryError ? e : new DeliveryError(scrubText(errorText(e)));
    if (err.permanent) return giveUp(job, data, err.message);
    const t = now();
    const since = data.failingSince ?? t;
    const delay = deliverBackoff(job.attemptsMade + 1, undefined, err);
    const attemptsLeft = job.attemptsMade + 1 < (job.opts.attempts ?? 1);
    if (t + delay - since > windowMs || !attemptsLeft) {
      return giveUp(job, data, `still failing after ${minutes(t - since)} (retry window ${minutes(windowMs)}): ${err.message}`);
    }
    if (data.failingSince === undefined) await job.updateData({ ...data, failingSince: since });
    deps.onDelivered?.(data.platform, 'retried');
    throw err;
  }

  return async (job: Job, token?: string): Promise<number> => {
    const parsed = DeliverJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`deliver job ${String(job.id)} holds invalid data: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
    const data = parsed.data;
    let sent = 0;
    try {
      // Another bot process may run this platform; the job stays retryable, within its window.
      const adapter = deps.adapters.get(data.platform);
      if (!adapter) throw new DeliveryError(`this bot has no ${data.platform} adapter`, { notSent: true });
      const holdUntil = job.timestamp + (deps.interimHoldMs ?? INTERIM_HOLD_MS);
      for (const m of data.messages) sent += (await deliverOne(deps, adapter, data.conversationId, m, now, holdUntil)) ? 1 : 0;
    } catch (e) {
      if (e instanceof NotReadyError) return wait(job, token, data, e);
      if (e instanceof HeldError) {
        deps.onDelivered?.(data.platform, 'waited');
        await job.moveToDelayed(e.until, token);
        throw new DelayedError(e.message);
      }
      if (e instanceof ConversationGoneError) {
        deps.logger.error({ job: job.id, conversation: data.conversationId }, e.message);
        throw e;
      }
      return failed(job, data, e);
    }
    if (sent) deps.onDelivered?.(data.platform, 'delivered');
    return sent;
  };
}

async function conversation(deps: DeliverDeps, id: string): Promise<ConversationRecord> {
  const conv = await deps.conversations.get(id);
  if (!conv) throw new ConversationGoneError(`conversation ${id} is gone (expired): its messages cannot be delivered`);
  return conv;
}

/**
 * Posts one root or reply: marks the attempt first, tells the adapter about an earlier attempt whose
 * answer was lost, records the receipt, and clears the mark once the platform's answer is known.
 */
async function post(deps: DeliverDeps, id: string, key: string, now: () => number, send: (opts: PostOptions) => ReturnType<ChatAdapter['postRoot']>, version?: number): Promise<void> {
  const earlier = await deps.unconfirmed.since(id, key);
  await deps.unconfirmed.begin(id, key, now());
  let posted;
  try {
    posted = await send(earlier ? { unconfirmedSince: earlier } : {});
  } catch (e) {
    // Certainly not posted, and no earlier attempt is in doubt: a later attempt need not look. (With
    // an earlier one in doubt, this refusal may have been the lookup's: the mark stays.)
    if (e instanceof DeliveryError && e.notSent && !earlier) await deps.unconfirmed.clear(id, key);
    throw e;
  }
  await deps.conversations.recordPosted(id, key, posted, version);
  await deps.unconfirmed.clear(id, key);
}

/**
 * Delivers one message unless its receipt says it went out already; true if it was sent now.
 * Edits coalesce: an update offers its card, and whatever sends message `of` (the update, or the root
 * itself when it was not posted yet) sends the newest card offered, so pending edits become one and
 * an older card never follows a newer one. Only the root's own job posts the root (once, by its key).
 */
async function deliverOne(deps: DeliverDeps, adapter: ChatAdapter, id: string, m: OutboundMessage, now: () => number, holdUntil: number): Promise<boolean> {
  const store = deps.conversations;
  if (m.op === 'update') {
    if ((await store.deliveredVersion(id, m.of)) >= m.version) return false;
    const newest = await store.offerCard(id, m.of, m.version, m.card);
    const target = await store.receipt(id, m.of);
    if (!target) {
      // A root held for this very update goes now, with the newest card.
      if (m.of === 'root') await deps.hurryRoot?.(id);
      throw new NotReadyError(m.of, `message ${m.of} of ${id} is not delivered yet`);
    }
    if ((await store.deliveredVersion(id, m.of)) >= newest.version) return false;
    const conv = await conversation(deps, id);
    await adapter.updateMessage(conv.ref, target.messageId, newest.card);
    await store.recordVersion(id, m.of, newest.version);
    return true;
  }
  const receiptKey = m.op === 'ephemeral' ? `eph.${m.key}` : m.key;
  if (await store.receipt(id, receiptKey)) return false;
  const conv = await conversation(deps, id);
  if (m.op === 'root') {
    const newest = await store.newestCard(id, 'root');
    if (!newest && m.interim && now() < holdUntil && adapter.showsPlaceholder?.(conv.ref)) throw new HeldError(holdUntil);
    // The newest card, unless an earlier attempt is in doubt: then the card it sent, so that the
    // lookup for a lost post finds it (an update after the receipt brings the newest).
    const inDoubt = (await deps.unconfirmed.since(id, 'root')) ? await store.attempted(id, 'root') : null;
    const card = inDoubt ?? newest ?? { version: -1, card: m.card };
    if (!inDoubt) await store.rememberAttempt(id, 'root', card);
    await post(deps, id, 'root', now, (opts) => adapter.postRoot(conv.ref, card.card, `${id}.root`, opts), card.version);
  } else if (m.op === 'reply') {
    if (!conv.ref.threadId) throw new NotReadyError('root', `conversation ${id} has no thread yet`);
    await post(deps, id, m.key, now, (opts) => adapter.postReply(conv.ref, m.card, `${id}.${m.key}`, opts));
  } else {
    await adapter.postEphemeral(m.where, m.user, m.card);
    await store.recordPosted(id, receiptKey, { messageId: '', threadId: null });
  }
  return true;
}
