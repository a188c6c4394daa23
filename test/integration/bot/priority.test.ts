// The one who asks first is answered first: a person's single-host check goes ahead of a fleet's
// queued hosts, and a person who asks about a host the fleet has queued hurries that host. Real
// redis-server, the lab and a worker taking one diagnosis at a time, so the order it takes them in
// is the order the queue gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { QueueEvents } from 'bullmq';
import { bullPrefix, QUEUE_NAMES } from '../../../src/state/names.ts';
import { silentLogger } from '../../../src/log.ts';
import { startWorkers } from '../../../src/processes/worker.ts';
import { ChatRecorder, person } from '../../fakes/chat-recorder.ts';
import { startStack } from '../../support/stack.ts';

const alice = person('alice');
const POLICY = { roles: { responder: ['console:alice'] }, rateLimit: { commandsPerMinute: 1000 } };
const FLEET = ['web-01', 'web-02', 'web-03', 'web-04', 'web-05'];

test('a single-host check goes ahead of a fleet check queued before it; asking about a queued fleet host hurries it', { timeout: 120_000 }, async () => {
  const recorder = new ChatRecorder();
  const stack = await startStack([recorder], {
    workers: 0,
    hosts: [...FLEET.map((name) => ({ name, scenarios: ['healthy'] })), { name: 'work-pc', scenarios: ['cert-expired'] }],
    config: { policy: POLICY },
  });
  const events = new QueueEvents(QUEUE_NAMES.diagnose, { connection: { url: stack.redis.url }, prefix: bullPrefix(stack.config.redis.prefix) });
  const taken: string[] = [];
  try {
    await events.waitUntilReady();
    await recorder.command('check tag:healthy', alice);
    await recorder.command('check work-pc', alice);
    await recorder.command('check web-04', alice);
    const all = new Promise<void>((resolve) => {
      events.on('active', ({ jobId }) => {
        void stack.bot!.queues.diagnose.getJob(jobId).then((job) => {
          taken.push(job!.data.host);
          if (taken.length === FLEET.length + 1) resolve();
        });
      });
    });
    const worker = await startWorkers({ ...stack.config, workers: { ...stack.config.workers, diagnoseConcurrency: 1 } }, silentLogger);
    try {
      await all;
      await stack.settled(60_000);
    } finally {
      await worker.close();
    }
  } finally {
    await events.close();
    await stack.close();
  }
  assert.deepEqual(taken.slice(0, 2), ['work-pc', 'web-04'], `taken in the order ${taken.join(', ')}`);
  assert.deepEqual(taken.slice(2), ['web-01', 'web-02', 'web-03', 'web-05'], 'the rest of the fleet in its own order');
  // Each asker is answered: the single-host checks with their verdict, the fleet with its summary.
  const verdicts = recorder.records.filter((r) => r.op === 'update').map((r) => r.card.title);
  assert.ok(verdicts.some((t) => t.startsWith('work-pc:')), verdicts.join(' | '));
  assert.ok(verdicts.some((t) => t.startsWith('web-04:')), verdicts.join(' | '));
  assert.ok(verdicts.some((t) => t.includes(`${FLEET.length} of ${FLEET.length} checked`)), verdicts.join(' | '));
});
