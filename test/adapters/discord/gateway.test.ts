// The gateway side: a zombie connection (heartbeats not acknowledged) makes discord.js reconnect
// and RESUME; an interaction acknowledged before that is still answered afterwards (its token
// lives in memory and REST does not need the gateway); stop() leaves nothing keeping the process up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Inbound } from '../../../src/chat/model.ts';
import { slashInteraction } from '../../fakes/discord/index.ts';
import { startHarness } from './harness.ts';

test('zombie gateway: the client RESUMEs, an earlier interaction is still answered, new ones still arrive', async () => {
  const h = await startHarness({ heartbeatIntervalMs: 250 });
  try {
    const first = h.fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: 'work-pc' } }));
    const e = (await h.waitForInbound(1)) as Extract<Inbound, { kind: 'command' }>;
    // Make sure a heartbeat was acknowledged on the first connection, then stop acknowledging.
    await h.fake.waitForFrame((f) => f.connection === 1 && f.dir === 'out' && f.frame.op === 11);
    h.fake.gateway.stopAckingHeartbeats();
    const resume = await h.fake.waitForFrame((f) => f.dir === 'in' && f.frame.op === 6, { timeoutMs: 10_000 });
    assert.ok(resume.connection >= 2, 'RESUME comes on a new connection');
    const d = resume.frame.d as { token: string; session_id: string; seq: number };
    assert.equal(d.session_id, 'fake-session-1');
    assert.ok(d.seq >= 3, `resumes from the last sequence seen (${d.seq})`);
    await h.fake.waitForFrame((f) => f.dir === 'out' && f.frame.t === 'RESUMED');
    assert.equal(h.fake.gateway.frames((f) => f.dir === 'in' && f.frame.op === 2).length, 1, 'no second IDENTIFY');

    const posted = await h.adapter.postRoot(e.where, { title: 'work-pc: fine', status: 'ok', sections: [], actions: [] }, 'root:z');
    assert.equal(h.fake.world.interactions.get(first.id)?.originalId, posted.messageId, 'answered through the original response');

    h.fake.sendInteraction(slashInteraction({ subcommand: 'hosts' }));
    assert.equal(((await h.waitForInbound(2)) as Extract<Inbound, { kind: 'command' }>).text, 'hosts');
    assert.deepEqual(h.rejections, []);
  } finally {
    await h.close();
  }
});

test('stop() then closing the fake leaves no handle: the process exits by itself', async () => {
  const script = fileURLToPath(new URL('./fixtures/run-and-stop.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  // A leaked handle holds the child until this watchdog kills it: exit code null, not 0.
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('exit', (c) => {
      clearTimeout(timer);
      resolve(c);
    });
  });
  assert.equal(code, 0, `child failed: ${err}`);
  assert.equal(out.trim(), 'closed 0');
});

test('bench helper: N concurrent slash commands are all deferred, each timed', async () => {
  const { measureDeferTimings } = await import('../../../bench/discord-lib/defer-timing.ts');
  const h = await startHarness();
  try {
    const timings = await measureDeferTimings(h.fake, 20);
    assert.equal(timings.length, 20);
    assert.ok(timings.every((t) => t.callbackType === 5 && Number.isFinite(t.ackMs) && t.ackMs >= 0), JSON.stringify(timings));
    await h.waitForInbound(20);
  } finally {
    await h.close();
  }
});
