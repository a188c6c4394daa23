// A job taken from Redis just before a failover may exist only on the old primary: after the
// switch the new primary still has it waiting, and another worker takes it too. So a job runs only
// once its lock (BullMQ's <queue>:<id>:lock, holding this worker's token) is confirmed on a replica
// of the server that holds it. Without replicas to confirm on, this is a no-op.
import type { Job } from 'bullmq';
import type { WriteConfirmer } from '../state/durable.ts';

export type Processor<T> = (job: Job, token?: string) => Promise<T>;

export function afterConfirmedActivation<T>(confirm: WriteConfirmer, processor: Processor<T>): Processor<T> {
  return async (job, token) => {
    if (confirm.replicas > 0 && token && job.id) await confirm.confirmHeld(`${job.queueQualifiedName}:${job.id}:lock`, token);
    return processor(job, token);
  };
}
