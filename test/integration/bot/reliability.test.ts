// Nothing lost, nothing doubled (design.md §3.5), against a real redis-server and the lab: a worker
// killed mid-diagnosis, Redis restarted mid-run, a platform failing five times, a host that changed
// before approval, and fifty approvers clicking at once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { QueueEvents } from 'bullmq';
import { stringify } from 'yaml';
import { bullPrefix, QUEUE_NAMES } from '../../../src/state/names.ts';
import { ensureRdpCertificate } from '../../../src/lab/model/regenerate-cert.ts';
import { silentLogger } from '../../../src/log.ts';
import { startWorkers } from '../../../src/processes/worker.ts';
import { ChatRecorder, person, type Recorded } from '../../fakes/chat-recorder.ts';
import { startStack, type Stack } from '../../support/stack.ts';

const alice = person('alice');
const bob = person('bob');
const POLICY = {
  roles: { responder: ['console:alice', 'console:bob'], approver: ['console:bob', 'console-group:approvers'] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  rateLimit: { commandsPerMinute: 1000 },
};

const titles = (records: Recorded[], op: Recorded['op']): string[] => records.filter((r) => r.op === op).map((r) => r.card.title);
const text = (r: Recorded): string => [r.card.title, ...r.card.sections.map((s) => ('text' in s ? s.text : s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : ''))].join('\n');

async function withStack(recorder: ChatRecorder, opts: Parameters<typeof startStack>[1], body: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack([recorder], { ...opts, config: { policy: POLICY, ...opts?.config } });
  try {
    await body(stack);
  } finally {
    await stack.close();
  }
}

/** Asks for the fix the diagnosis proposes; returns the approval id once its card is posted. */
async function requestCertFix(stack: Stack, recorder: ChatRecorder): Promise<string> {
  await recorder.command('check work-pc', alice);
  await stack.settled();
  const propose = recorder.action('propose:work-pc:');
  await recorder.click(propose.id, propose.messageId, alice);
  await stack.settled();
  return recorder.action('approve:').id.slice('approve:'.length);
}

test('a worker killed (SIGKILL) mid-diagnosis: the job is recovered and answered exactly once', async () => {
  const recorder = new ChatRecorder();
  await withStack(recorder, { workers: 0, hosts: [{ name: 'work-pc', scenarios: ['cert-expired'] }] }, async (stack) => {
    stack.lab.hosts[0]!.simulated.faults.latencyMs = 300;
    const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-kill-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, stringify(stack.config), { mode: 0o600 });
    const events = new QueueEvents(QUEUE_NAMES.diagnose, { connection: { url: stack.redis.url }, prefix: bullPrefix(stack.config.redis.prefix) });
    let child: ChildProcess | null = null;
    try {
      await events.waitUntilReady();
      child = spawn(process.execPath, ['bin/rdp-medic.js', 'worker', '--config', file], { env: { ...process.env, RDP_MEDIC_OPS_PORT: '0', LOG_LEVEL: 'error' }, stdio: 'ignore' });
      const active = new Promise<void>((resolve) => events.once('active', () => resolve()));
      await recorder.command('check work-pc', alice);
      await active;
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      const rescuer = await startWorkers(stack.config, silentLogger);
      try {
        await stack.settled(60_000);
      } finally {
        await rescuer.close();
      }
    } finally {
      child?.kill('SIGKILL');
      await events.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const verdicts = titles(recorder.records, 'update').filter((t) => t.startsWith('work-pc:'));
    assert.deepEqual(verdicts, ['work-pc: RDP problem found']);
    const replies = recorder.records.filter((r) => r.op === 'reply').map((r) => r.key);
    assert.ok(replies.length > 0);
    assert.equal(new Set(replies).size, replies.length, `a reply was posted twice: ${replies.join(', ')}`);
  });
});

test('redis-server restarted mid-run (AOF on): no job lost, bot and workers reconnect by themselves', async () => {
  const recorder = new ChatRecorder();
  const hosts = ['a-pc', 'b-pc', 'c-pc', 'd-pc'].map((name) => ({ name, scenarios: ['cert-expired'] }));
  await withStack(recorder, { appendonly: true, hosts }, async (stack) => {
    for (const h of stack.lab.hosts) h.simulated.faults.latencyMs = 150;
    await recorder.command('check group:lab', alice);
    await stack.redis.restart();
    await stack.settled(60_000);
    const finals = titles(recorder.records, 'update').filter((t) => /4 of 4 checked/.test(t));
    assert.equal(finals.length, 1, titles(recorder.records, 'update').join('\n'));
    assert.equal(titles(recorder.records, 'root').length, 1);
    // Still working after the restart: a new command is answered.
    await recorder.command('check a-pc', bob);
    await stack.settled();
    assert.ok(titles(recorder.records, 'update').includes('a-pc: RDP problem found'));
  });
});

test('delivery failing five times, then succeeding: delivered exactly once', async () => {
  const recorder = new ChatRecorder();
  await withStack(recorder, {}, async (stack) => {
    recorder.failNext = 5;
    await recorder.command('check work-pc', alice);
    await stack.settled();
    assert.equal(recorder.failures, 5);
    assert.deepEqual(titles(recorder.records, 'root'), ['Checking work-pc for @alice…']);
    assert.deepEqual(titles(recorder.records, 'update'), ['work-pc: RDP problem found']);
  });
});

test('a fix whose precondition no longer holds is not applied, and the thread says why', async () => {
  const recorder = new ChatRecorder();
  await withStack(recorder, {}, async (stack) => {
    const approvalId = await requestCertFix(stack, recorder);
    // Someone fixes the host by hand before the approval: the expired certificate is gone.
    const model = stack.lab.hosts.find((h) => h.name === 'work-pc')!.simulated.model;
    model.certStores['remote desktop']!.certs = [];
    ensureRdpCertificate(model, new Date());
    const fresh = model.certStores['remote desktop']!.certs.map((c) => c.thumbprint);
    await recorder.click(`approve:${approvalId}`, recorder.action('approve:').messageId, bob);
    await stack.settled();
    const result = recorder.records.find((r) => r.key?.endsWith(`.result.${approvalId}`));
    assert.ok(result, 'no result posted');
    assert.match(text(result), /not applied/i);
    assert.match(text(result), /Applied: no/);
    assert.deepEqual(model.certStores['remote desktop']!.certs.map((c) => c.thumbprint), fresh, 'the host was changed');
    assert.equal((await stack.bot!.state.approvals.get(approvalId))?.state, 'failed');
  });
});

test('50 concurrent approvals of one fix: it runs once; the other 49 are told who approved', async () => {
  const recorder = new ChatRecorder();
  await withStack(recorder, {}, async (stack) => {
    const approvalId = await requestCertFix(stack, recorder);
    const { messageId } = recorder.action('approve:');
    const approvers = Array.from({ length: 50 }, (_, i) => person(`approver-${i}`, ['approvers']));
    await Promise.all(approvers.map((u) => recorder.click(`approve:${approvalId}`, messageId, u)));
    await stack.settled();
    const results = recorder.records.filter((r) => r.key?.endsWith(`.result.${approvalId}`));
    assert.equal(results.length, 1);
    assert.match(text(results[0]!), /applied on WORK-PC and verified/);
    const refusals = recorder.records.filter((r) => r.op === 'ephemeral' && /already approved by @approver-\d+/.test(text(r)));
    assert.equal(refusals.length, 49);
    const applied = (await stack.bot!.state.audit.historyOf('work-pc', 100)).filter((e) => e.kind === 'result' && (e.data as { approvalId?: string }).approvalId === approvalId);
    assert.equal(applied.length, 1);
  });
});
