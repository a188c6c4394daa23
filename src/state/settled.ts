// "Has the work settled?": no job waiting, active or delayed in any queue, seen twice in a row
// (a finishing job enqueues the next before it completes, so one empty look can be a gap).
// The console chat waits on this between scripted lines; tests and the demo use it too.
import type { Queues } from './queues.ts';

const BUSY_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;

async function busyJobs(queues: Queues): Promise<number> {
  const counts = await Promise.all([queues.diagnose, queues.fix, queues.deliver].map((q) => q.getJobCounts(...BUSY_STATES)));
  return counts.reduce((sum, c) => sum + Object.values(c).reduce((a, b) => a + b, 0), 0);
}

export async function whenSettled(queues: Queues, opts: { timeoutMs?: number; pollMs?: number } = {}): Promise<boolean> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const poll = opts.pollMs ?? 25;
  let quiet = 0;
  while (Date.now() < deadline) {
    quiet = (await busyJobs(queues)) === 0 ? quiet + 1 : 0;
    if (quiet >= 2) return true;
    await new Promise((r) => setTimeout(r, poll));
  }
  return false;
}
