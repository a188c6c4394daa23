// The deliver job: a conversation's messages, in order, through the platform's adapter. Each
// delivered message leaves a receipt, so a retry (after a 429, a 500, a crash) skips what already
// went out and nothing is posted twice. Replies wait for their root; updates for their message;
// an update older than one already shown is dropped.
import { UnrecoverableError, type Job } from 'bullmq';
import { DeliveryError, type ChatAdapter } from '../chat/adapter.ts';
import type { ConversationRecord, ConversationStore } from '../state/conversations.ts';
import type { Platform } from '../chat/model.ts';
import { DeliverJob, type OutboundMessage } from '../state/schemas.ts';
import type { Logger } from '../log.ts';

/** The root (or the message to update) is not delivered yet: try again shortly. */
export class NotReadyError extends Error {
  override readonly name = 'NotReadyError';
  readonly retryAfterMs = 200;
}

export interface DeliverDeps {
  adapters: ReadonlyMap<Platform, ChatAdapter>;
  conversations: ConversationStore;
  logger: Logger;
  onDelivered?(platform: Platform, outcome: 'delivered' | 'retried' | 'failed'): void;
}

/** BullMQ backoff: the platform's Retry-After when it gave one, else 250 ms doubling to 30 s. */
export function deliverBackoff(attemptsMade: number, _type: string | undefined, err?: Error): number {
  if (err instanceof DeliveryError && err.retryAfterMs !== undefined) return err.retryAfterMs;
  if (err instanceof NotReadyError) return err.retryAfterMs;
  return Math.min(250 * 2 ** Math.max(0, attemptsMade - 1), 30_000);
}

export function deliverProcessor(deps: DeliverDeps) {
  return async (job: Job): Promise<number> => {
    const data = DeliverJob.parse(job.data);
    const adapter = deps.adapters.get(data.platform);
    // Another bot process may run this platform; leave the job to it (retried, not lost).
    if (!adapter) throw new Error(`this bot has no ${data.platform} adapter`);
    let sent = 0;
    try {
      for (const m of data.messages) sent += (await deliverOne(deps, adapter, data.conversationId, m)) ? 1 : 0;
    } catch (e) {
      if (e instanceof DeliveryError && e.permanent) {
        deps.onDelivered?.(data.platform, 'failed');
        deps.logger.error({ conversation: data.conversationId, err: e.message }, 'delivery failed for good');
        throw new UnrecoverableError(e.message);
      }
      deps.onDelivered?.(data.platform, 'retried');
      throw e;
    }
    if (sent) deps.onDelivered?.(data.platform, 'delivered');
    return sent;
  };
}

async function conversation(deps: DeliverDeps, id: string): Promise<ConversationRecord> {
  const conv = await deps.conversations.get(id);
  if (!conv) throw new UnrecoverableError(`conversation ${id} is gone`);
  return conv;
}

/** Delivers one message unless its receipt says it went out already; true if it was sent now. */
async function deliverOne(deps: DeliverDeps, adapter: ChatAdapter, id: string, m: OutboundMessage): Promise<boolean> {
  const store = deps.conversations;
  if (m.op === 'update') {
    if ((await store.deliveredVersion(id, m.of)) >= m.version) return false;
    const target = await store.receipt(id, m.of);
    if (!target) throw new NotReadyError(`message ${m.of} of ${id} is not delivered yet`);
    const conv = await conversation(deps, id);
    await adapter.updateMessage(conv.ref, target.messageId, m.card);
    await store.recordVersion(id, m.of, m.version);
    return true;
  }
  const receiptKey = m.op === 'ephemeral' ? `eph.${m.key}` : m.key;
  if (await store.receipt(id, receiptKey)) return false;
  const conv = await conversation(deps, id);
  if (m.op === 'root') {
    await store.recordPosted(id, 'root', await adapter.postRoot(conv.ref, m.card, `${id}.root`));
  } else if (m.op === 'reply') {
    if (!conv.ref.threadId) throw new NotReadyError(`conversation ${id} has no thread yet`);
    await store.recordPosted(id, m.key, await adapter.postReply(conv.ref, m.card, `${id}.${m.key}`));
  } else {
    await adapter.postEphemeral(m.where, m.user, m.card);
    await store.recordPosted(id, receiptKey, { messageId: '', threadId: null });
  }
  return true;
}
