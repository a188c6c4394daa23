// A worker process: BullMQ workers for diagnose and fix jobs, with host connections pooled.
// Any number of them, on any machine, share one Redis. A worker killed mid-job loses its lock
// after lockDurationMs; another worker's stalled check then runs the job again.
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.ts';
import { foreignRecordLogger } from '../state/record.ts';
import { bullPrefix, QUEUE_NAMES } from '../state/names.ts';
import { Outbox } from '../state/outbox.ts';
import { openQueues, type Queues } from '../state/queues.ts';
import { openState } from '../state/shared-state.ts';
import type { Logger } from '../log.ts';
import type { WorkerDeps } from '../workers/deps.ts';
import { diagnoseProcessor } from '../workers/diagnose.ts';
import { fixProcessor } from '../workers/fix.ts';
import { HostPool } from '../workers/host-pool.ts';
import { afterConfirmedActivation } from './guard.ts';
import { openProcessRedis } from './redis.ts';

export interface RunningWorkers {
  name: string;
  redis: Redis;
  queues: Queues;
  workers: Worker[];
  /** Stops taking jobs, lets running ones finish, closes connections. */
  close(): Promise<void>;
}

export interface WorkerHooks {
  onJobDone?(queue: string, outcome: 'completed' | 'failed', ms: number): void;
}

export async function startWorkers(config: Config, logger: Logger, hooks: WorkerHooks = {}): Promise<RunningWorkers> {
  const name = `worker:${hostname()}:${process.pid}`;
  // Checked before any job is taken: Cluster, primary, TLS, eviction, persistence.
  const { redis, confirm, close: closeRedis } = await openProcessRedis(config, name, logger);
  const queues = openQueues(redis, { prefix: config.redis.prefix, diagnoseAttempts: config.workers.diagnoseAttempts, confirm });
  const deps: WorkerDeps = {
    name,
    config,
    state: openState(redis, config, { report: foreignRecordLogger(logger), confirm }),
    queues,
    outbox: new Outbox(queues),
    pool: new HostPool(config, logger, config.workers.idleConnectionMs, config.workers.maxIdleConnections),
    logger,
  };
  const w = config.workers;
  const common = { connection: redis, prefix: bullPrefix(config.redis.prefix), lockDuration: w.lockDurationMs, stalledInterval: w.stalledIntervalMs, maxStalledCount: 2 };
  const workers = [
    new Worker(QUEUE_NAMES.diagnose, afterConfirmedActivation(confirm, diagnoseProcessor(deps)), { ...common, concurrency: w.diagnoseConcurrency }),
    new Worker(QUEUE_NAMES.fix, afterConfirmedActivation(confirm, fixProcessor(deps)), { ...common, concurrency: w.fixConcurrency }),
  ];
  for (const worker of workers) {
    worker.on('failed', (job, err) => {
      logger.warn({ queue: worker.name, job: job?.id, attempt: job?.attemptsMade, err: err.message }, 'job failed');
      if (job) hooks.onJobDone?.(worker.name, 'failed', Date.now() - (job.processedOn ?? Date.now()));
    });
    worker.on('completed', (job) => hooks.onJobDone?.(worker.name, 'completed', (job.finishedOn ?? Date.now()) - (job.processedOn ?? Date.now())));
    worker.on('error', (err) => logger.warn({ queue: worker.name, err: err.message }, 'worker error'));
  }
  await Promise.all(workers.map((x) => x.waitUntilReady()));
  logger.info({ name, diagnoseConcurrency: w.diagnoseConcurrency, fixConcurrency: w.fixConcurrency }, 'worker ready');
  return {
    name,
    redis,
    queues,
    workers,
    close: async () => {
      await Promise.all(workers.map((x) => x.close()));
      await deps.pool.close();
      await queues.close();
      await closeRedis();
    },
  };
}
