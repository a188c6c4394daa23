// A single Redis as compose runs it (AOF, appendfsync everysec) killed with SIGKILL and restarted
// while the hosts' answers are held, mid-fleet and mid-fix: what Redis acknowledged is in its AOF
// file before the reply goes out, so the approval, the running job and the fleet's progress
// survive; every host is counted once and the fix ends with one answer. Real redis-server, the lab.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatRecorder, person, type Recorded } from '../../fakes/chat-recorder.ts';
import { HostGate } from '../../support/host-gate.ts';
import { startStack, type Stack } from '../../support/stack.ts';

const alice = person('alice');
const bob = person('bob');
const POLICY = {
  roles: { responder: ['console:alice', 'console:bob'], approver: ['console:bob'] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  rateLimit: { commandsPerMinute: 1000 },
};
const text = (r: Recorded): string => [r.card.title, ...r.card.sections.map((s) => ('text' in s ? s.text : s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : ''))].join('\n');

async function withEverysecStack(hosts: { name: string; scenarios: string[] }[], body: (stack: Stack, recorder: ChatRecorder, gate: HostGate) => Promise<void>): Promise<void> {
  const recorder = new ChatRecorder();
  const stack = await startStack([recorder], { hosts, appendonly: true, appendfsync: 'everysec', config: { policy: POLICY, workers: { lockDurationMs: 4_000, stalledIntervalMs: 1_000, diagnoseConcurrency: 20 } } });
  try {
    await body(stack, recorder, new HostGate(stack.lab.hosts.map((h) => h.simulated)));
  } finally {
    await stack.close();
  }
}

test('Redis SIGKILLed mid-fleet (AOF everysec): every host counted once, one final summary', async () => {
  const hosts = ['a-pc', 'b-pc', 'c-pc', 'd-pc'].map((name) => ({ name, scenarios: ['cert-expired'] }));
  await withEverysecStack(hosts, async (stack, recorder, gate) => {
    gate.arm();
    await recorder.command('check group:lab', alice);
    await gate.holding(hosts.length);
    await stack.redis.restart({ hard: true });
    gate.release();
    await stack.settled(60_000);
    const finals = recorder.records.filter((r) => r.op === 'update' && /4 of 4 checked/.test(r.card.title));
    assert.equal(finals.length, 1, recorder.records.map((r) => `${r.op} ${r.card.title}`).join('\n'));
    assert.equal(recorder.records.filter((r) => r.op === 'root').length, 1);
    const conversation = recorder.records.find((r) => r.op === 'root')!.key!.replace(/\.root$/, '');
    assert.deepEqual((await stack.bot!.state.diagnoses.fleetResults(conversation)).map((r) => r.host).sort(), hosts.map((h) => h.name));
  });
});

test('Redis SIGKILLed mid-fix (AOF everysec): the fix ends with one answer, applied once', async () => {
  await withEverysecStack([{ name: 'work-pc', scenarios: ['cert-expired'] }], async (stack, recorder, gate) => {
    await recorder.command('check work-pc', alice);
    await stack.settled();
    const propose = recorder.action('propose:work-pc:');
    await recorder.click(propose.id, propose.messageId, alice);
    await stack.settled();
    const approve = recorder.action('approve:');
    const approvalId = approve.id.slice('approve:'.length);
    gate.arm();
    await recorder.click(approve.id, approve.messageId, bob);
    await gate.holding(1);
    await stack.redis.restart({ hard: true });
    gate.release();
    await stack.settled(60_000);
    const results = recorder.records.filter((r) => r.key?.endsWith(`.result.${approvalId}`));
    assert.equal(results.length, 1, recorder.records.map((r) => `${r.op} ${r.key ?? ''} ${r.card.title}`).join('\n'));
    assert.match(text(results[0]!), /applied on WORK-PC and verified/);
    assert.equal((await stack.bot!.state.approvals.get(approvalId))?.state, 'done');
  });
});
