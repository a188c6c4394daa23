// The producers' side of the queues: BullMQ Queues with the retry policy of each job kind, and
// enqueue functions that validate job data before it reaches Redis. Job ids are chosen by the
// caller from what the job is about (a conversation's message, an approval), so enqueueing the
// same thing twice (a retried worker, a double click) adds one job.
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { z } from 'zod';
import { NO_CONFIRM, type WriteConfirmer } from './durable.ts';
import { bullPrefix, QUEUE_NAMES } from './names.ts';
import { DeliverJob, DiagnoseJob, FixJob } from './schemas.ts';

/** Finished jobs stay long enough that a late duplicate enqueue is still recognized by its id. */
const KEEP_DONE = { age: 24 * 3600, count: 50_000 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

/**
 * A safety net only: the deliver worker bounds retries by time (its retry window, from the first
 * failure) and moves what still fails to the dead-letter list before this count could be reached.
 */
export const DELIVER_ATTEMPTS = 100_000;

export interface Queues {
  diagnose: Queue<DiagnoseJob>;
  fix: Queue<FixJob>;
  deliver: Queue<DeliverJob>;
  /** Confirms adds on a replica (a job lost in a failover is work nobody does). */
  confirm: WriteConfirmer;
  close(): Promise<void>;
}

export interface QueueOptions {
  prefix: string;
  diagnoseAttempts: number;
  confirm?: WriteConfirmer;
}

/** BullMQ job ids may not contain ":"; ours are built from ids that may. */
export const jobId = (...parts: string[]): string => parts.join('.').replaceAll(':', '_');

export function openQueues(connection: Redis, opts: QueueOptions): Queues {
  const prefix = bullPrefix(opts.prefix);
  const make = <T>(name: string, defaultJobOptions: JobsOptions): Queue<T> => new Queue<T>(name, { connection, prefix, defaultJobOptions });
  const diagnose = make<DiagnoseJob>(QUEUE_NAMES.diagnose, {
    attempts: opts.diagnoseAttempts,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: KEEP_DONE,
    removeOnFail: KEEP_FAILED,
  });
  // A fix job is safe to retry: the approval's one-way states stop a second apply.
  const fix = make<FixJob>(QUEUE_NAMES.fix, { attempts: 3, backoff: { type: 'exponential', delay: 2_000 }, removeOnComplete: KEEP_DONE, removeOnFail: KEEP_FAILED });
  // Delivery honours the platform's Retry-After (the deliver worker's backoff strategy); the worker
  // bounds it by time, not by this count (workers/deliver.ts).
  const deliver = make<DeliverJob>(QUEUE_NAMES.deliver, { attempts: DELIVER_ATTEMPTS, backoff: { type: 'platform' }, removeOnComplete: KEEP_DONE, removeOnFail: KEEP_FAILED });
  return {
    diagnose,
    fix,
    deliver,
    confirm: opts.confirm ?? NO_CONFIRM,
    close: async () => {
      await Promise.all([diagnose.close(), fix.close(), deliver.close()]);
    },
  };
}

/**
 * Who asked decides the order: a person waiting on one host goes ahead of fleet work. BullMQ takes
 * jobs without a priority (0) before any prioritized one, so interactive diagnoses carry none and
 * a fleet's carry this.
 */
export const FLEET_PRIORITY = 100;
export type DiagnoseUrgency = 'interactive' | 'fleet';
const priorityOf = (urgency: DiagnoseUrgency): JobsOptions => (urgency === 'fleet' ? { priority: FLEET_PRIORITY } : {});

/** Adding a job id twice adds one job, so a re-run after a failover is safe. */
export async function enqueueDiagnoses(queues: Queues, data: z.input<typeof DiagnoseJob>[], urgency: DiagnoseUrgency): Promise<void> {
  const jobs = data.map((d) => DiagnoseJob.parse(d));
  await queues.confirm.durably(() => queues.diagnose.addBulk(jobs.map((job) => ({ name: 'diagnose', data: job, opts: { jobId: job.runId, ...priorityOf(urgency) } }))));
}

/**
 * A person joined a diagnosis a fleet queued: it moves ahead of the fleet's other hosts. (One
 * already running is left alone; a change lost in a failover only means waiting longer.)
 */
export async function hurryDiagnose(queues: Queues, runId: string): Promise<void> {
  const job = await queues.diagnose.getJob(runId);
  if (job && (await job.getState()) === 'prioritized') await job.changePriority({ priority: 0 });
}

export async function enqueueFix(queues: Queues, data: FixJob, id: string): Promise<void> {
  const job = FixJob.parse(data);
  await queues.confirm.durably(() => queues.fix.add(data.kind, job, { jobId: jobId('fix', id) }));
}

/**
 * Runs a delivery now that waits in `delayed` without having failed (an interim root held for its
 * update); else nothing. One that failed waits out its backoff (a platform's Retry-After).
 */
export async function hurryDelivery(queues: Queues, id: string): Promise<void> {
  const job = await queues.deliver.getJob(jobId('dlv', id));
  if (!job || job.attemptsMade > 0 || job.data.failingSince !== undefined) return;
  if ((await job.getState()) === 'delayed') await job.promote().catch(() => undefined);
}

export async function enqueueDelivery(queues: Queues, data: DeliverJob, id: string): Promise<void> {
  const job = DeliverJob.parse(data);
  await queues.confirm.durably(() => queues.deliver.add('deliver', job, { jobId: jobId('dlv', id) }));
}
