// A bot process: the chat adapters, the bot, the deliver worker (only adapters can post, so
// delivery runs here) and the approval expiry sweep.
import { hostname } from 'node:os';
import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.ts';
import { foreignRecordLogger } from '../state/record.ts';
import { bullPrefix, QUEUE_NAMES } from '../state/names.ts';
import { deliveryKey, Outbox } from '../state/outbox.ts';
import { hurryDelivery, openQueues, type Queues } from '../state/queues.ts';
import { openState, type SharedState } from '../state/shared-state.ts';
import type { Logger } from '../log.ts';
import { DeadLetters } from '../state/dead-letters.ts';
import { UnconfirmedPosts } from '../state/unconfirmed-posts.ts';
import { deliverBackoff, deliverProcessor, type DeliveryOutcome } from '../workers/deliver.ts';
import { createBot, type Bot, type BotCounters } from '../bot/bot.ts';
import type { ChatAdapter } from '../chat/adapter.ts';
import { inventoryOf } from '../bot/grammar.ts';
import type { Platform } from '../chat/model.ts';
import { errorText } from '../lib/error-text.ts';
import { afterConfirmedActivation } from './guard.ts';
import { openProcessRedis } from './redis.ts';

export interface RunningBot {
  bot: Bot;
  redis: Redis;
  queues: Queues;
  state: SharedState;
  deliverWorker: Worker;
  /** Deliveries given up on (shown by /healthz, /metrics and `rdp-medic deliveries`). */
  deadLetters: DeadLetters;
  close(): Promise<void>;
}

export interface BotHooks {
  counters?: BotCounters;
  onDelivered?(platform: Platform, outcome: DeliveryOutcome): void;
}

/** Deliveries in progress at once in one bot process (see the Worker below). */
const DELIVER_CONCURRENCY = 100;

export async function startBot(config: Config, adapters: ChatAdapter[], logger: Logger, hooks: BotHooks = {}): Promise<RunningBot> {
  const name = `bot:${hostname()}:${process.pid}`;
  // Checked before anything is taken or posted: Cluster, primary, TLS, eviction, persistence.
  const { redis, confirm, close: closeRedis } = await openProcessRedis(config, name, logger);
  const queues = openQueues(redis, { prefix: config.redis.prefix, diagnoseAttempts: config.workers.diagnoseAttempts, confirm });
  const report = foreignRecordLogger(logger);
  const state = openState(redis, config, { report, confirm });
  const bot = createBot({ config, inventory: inventoryOf(config), redis, state, queues, outbox: new Outbox(queues), logger, ...(hooks.counters ? { counters: hooks.counters } : {}) });
  const byPlatform = new Map<Platform, ChatAdapter>(adapters.map((a) => [a.platform, a]));
  const deadLetters = new DeadLetters(redis, config.redis.prefix, { report });
  const deliver = deliverProcessor({
    adapters: byPlatform,
    conversations: state.conversations,
    unconfirmed: new UnconfirmedPosts(redis, config.redis.prefix, { report }),
    deadLetters,
    retryWindowMs: config.bot.deliveryRetryWindowMs,
    interimHoldMs: config.bot.interimHoldMs,
    hurryRoot: (conversationId) => hurryDelivery(queues, deliveryKey(conversationId, 'root')),
    logger,
    ...(hooks.onDelivered ? { onDelivered: hooks.onDelivered } : {}),
  });
  const deliverWorker = new Worker(QUEUE_NAMES.deliver, afterConfirmedActivation(confirm, deliver), {
    connection: redis,
    prefix: bullPrefix(config.redis.prefix),
    // Deliveries mostly wait: on a platform's rate limiter (Discord's 50/s queue, Slack's client
    // queue) or in `delayed`. With few slots, thread posts waiting on the limiter hold them all and
    // a verdict that could go out at once (a Discord interaction edit is not globally limited)
    // waits for a slot; the adapters' own queues bound what reaches the platform.
    concurrency: DELIVER_CONCURRENCY,
    settings: { backoffStrategy: deliverBackoff },
  });
  deliverWorker.on('error', (err) => logger.warn({ err: err.message }, 'deliver worker error'));
  deliverWorker.on('failed', (job, err) => {
    // A job given up on was logged (and dead-lettered) by the processor already.
    if (err instanceof UnrecoverableError) return;
    logger.warn({ job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'delivery attempt failed; will retry');
  });
  await deliverWorker.waitUntilReady();
  const closeCore = async (): Promise<void> => {
    await deliverWorker.close();
    await queues.close();
    await closeRedis();
  };
  const started: ChatAdapter[] = [];
  for (const a of adapters) {
    try {
      await a.start((event) => bot.handle(event));
      started.push(a);
    } catch (e) {
      // A platform that refuses us at start (a revoked token) will not change its mind: close
      // everything so the process exits non-zero and its supervisor restarts it or says why.
      for (const s of started) await s.stop().catch(() => undefined);
      await a.stop().catch(() => undefined);
      await closeCore();
      throw new Error(`cannot start the bot: ${errorText(e)}`);
    }
  }
  const sweep = setInterval(() => void bot.sweepExpired().catch((e: unknown) => logger.warn({ err: String(e) }, 'approval expiry sweep failed')), config.bot.expirySweepMs);
  sweep.unref();
  logger.info({ name, platforms: adapters.map((a) => a.platform) }, 'bot ready');
  return {
    bot,
    redis,
    queues,
    state,
    deliverWorker,
    deadLetters,
    close: async () => {
      clearInterval(sweep);
      // Deliveries in flight finish first; what is still queued waits in Redis for the next bot.
      await deliverWorker.close();
      for (const a of adapters) await a.stop().catch((e: unknown) => logger.warn({ err: String(e), platform: a.platform }, 'adapter stop failed'));
      await queues.close();
      await closeRedis();
    },
  };
}
