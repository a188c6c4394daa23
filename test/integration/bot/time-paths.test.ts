// The paths that depend on time, without waiting for it: the test moves a record's own clock
// (its decision time, its expiry) into the past, or sets up the state a crash leaves, then lets
// the real worker and bot act. Real Redis, the lab, one worker, the bot; nothing is mocked.
//   - a worker that died after it began applying: the retry re-verifies and never applies twice
//   - an approved fix waiting on a busy host past the lock wait: it gives up and says so
//   - an approval past its expiry: its buttons go, a late click is refused, nothing runs
//   - a plan built at one time and applied minutes later (the rdp layer's own `now`)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ApprovalRecord } from '../../../src/state/approvals/record.ts';
import { HostId } from '../../../src/config/schema.ts';
import { enqueueFix, jobId } from '../../../src/state/queues.ts';
import { validatePlan } from '../../../src/host/executor.ts';
import { buildReadPlan, readPlanFacts } from '../../../src/rdp/read-plan.ts';
import { executePlan } from '../../../src/lab/model/execute-plan.ts';
import { RDP_TCP } from '../../../src/lab/model/paths.ts';
import { getNumber } from '../../../src/lab/model/registry.ts';
import { buildHost } from '../../../src/lab/scenarios/index.ts';
import { applyFix, planFix } from '../../../src/rdp/repair.ts';
import type { CheckTarget, Diagnosis } from '../../../src/rdp/types.ts';
import { MemoryUndoStore } from '../../../src/rdp/undo-store.ts';
import { ChatRecorder, person, type Recorded } from '../../fakes/chat-recorder.ts';
import { startStack, type Stack } from '../../support/stack.ts';

const alice = person('alice');
const bob = person('bob');
const POLICY = {
  roles: { responder: ['console:alice', 'console:bob'], approver: ['console:bob'] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  rateLimit: { commandsPerMinute: 1000 },
};
const MINUTE = 60_000;

let stack: Stack;
const recorder = new ChatRecorder();

before(async () => {
  // The bot sweeps expiry on its own timer; it is not what these tests wait on (they sweep).
  stack = await startStack([recorder], {
    hosts: [{ name: 'sec-pc', scenarios: ['security-layer-mismatch'] }],
    config: { policy: POLICY, bot: { expirySweepMs: 600_000, summaryIntervalMs: 200 } },
  });
});
after(async () => stack.close());

const host = HostId.parse('sec-pc');
const securityLayer = (): number | undefined => getNumber(stack.lab.hosts[0]!.simulated.model, RDP_TCP, 'SecurityLayer');
const textOf = (r: Recorded): string => [r.card.title, ...r.card.sections.map((s) => ('text' in s ? s.text : ''))].join('\n');
const approvalKey = (id: string): string => `${stack.config.redis.prefix}:approval:${id}`;
const state = () => stack.bot!.state;

/** alice asks for the fix in a new thread; returns the pending approval (plan built now). */
async function pendingApproval(): Promise<ApprovalRecord> {
  await recorder.command('fix sec-pc restore-security-layer', alice);
  await stack.settled();
  const id = recorder.action('approve:').id.slice('approve:'.length);
  const record = await state().approvals.get(id);
  assert.equal(record?.state, 'pending');
  return record!;
}

async function applyJob(approvalId: string): Promise<void> {
  await enqueueFix(stack.bot!.queues, { kind: 'apply', approvalId }, `apply.${approvalId}`);
  await stack.settled();
}

const repliesSince = (n: number): Recorded[] => recorder.records.slice(n).filter((r) => r.op === 'reply');

describe('time-dependent paths, with the clock moved instead of waited for', () => {
  test('a worker that died after it began applying: the retry re-verifies and does not apply again', async () => {
    const approval = await pendingApproval();
    assert.ok((await state().approvals.approve(approval.id, bob)).ok);
    // What the dead attempt left: the approval running under this job's runner id, nothing applied.
    assert.ok((await state().approvals.start(approval.id, `job:${jobId('fix', `apply.${approval.id}`)}`)).ok);
    const seen = recorder.records.length;
    await applyJob(approval.id);
    assert.equal(securityLayer(), 0, 'not applied by the retry');
    const result = repliesSince(seen).map(textOf).find((t) => /stopped after it began applying/.test(t));
    assert.ok(result, `no interrupted result in: ${repliesSince(seen).map(textOf).join(' | ')}`);
    assert.match(result, /was not applied again/);
    assert.equal((await state().approvals.get(approval.id))?.state, 'failed');
  });

  test('an approved fix on a host busy past the lock wait gives up, says so, and changes nothing', async () => {
    const approval = await pendingApproval();
    assert.ok((await state().approvals.approve(approval.id, bob)).ok);
    const other = await state().locks.acquire(host, { owner: 'job:someone-else', by: alice, what: 'another fix' });
    assert.ok(other.ok);
    try {
      // Decided eleven minutes ago: the lock wait (ten minutes) is over.
      await stack.bot!.redis.hset(approvalKey(approval.id), 'decidedAt', String(Date.now() - 11 * MINUTE));
      const seen = recorder.records.length;
      await applyJob(approval.id);
      const gaveUp = repliesSince(seen).map(textOf).find((t) => /Waited 1[01] min; not applied/.test(t));
      assert.ok(gaveUp, `no give-up result in: ${repliesSince(seen).map(textOf).join(' | ')}`);
      assert.equal((await state().approvals.get(approval.id))?.state, 'failed');
      assert.equal(securityLayer(), 0);
    } finally {
      await state().locks.release(host, 'job:someone-else');
    }
  });

  test('an approval past its expiry: the sweep replaces its buttons, a late approval is refused, nothing runs', async () => {
    const approval = await pendingApproval();
    const past = Date.now() - MINUTE;
    await stack.bot!.redis.hset(approvalKey(approval.id), 'expiresAt', String(past));
    await stack.bot!.redis.zadd(`${stack.config.redis.prefix}:approvals:pending`, past, approval.id);
    const seen = recorder.records.length;
    assert.equal(await stack.bot!.bot.sweepExpired(), 1);
    await stack.settled();
    const update = recorder.records.slice(seen).find((r) => r.op === 'update');
    assert.ok(update, 'the approval message was updated');
    assert.deepEqual(update.card.actions, [], 'no buttons on an expired approval');
    assert.match(textOf(update), /expired/i);

    await recorder.click(`approve:${approval.id}`, update.messageId, bob);
    await stack.settled();
    const refusal = recorder.records.slice(seen).find((r) => r.op === 'ephemeral' && r.user === 'bob');
    assert.ok(refusal, 'bob is told');
    assert.match(textOf(refusal), /expired/i);
    assert.equal((await state().approvals.get(approval.id))?.state, 'expired');
    assert.equal(securityLayer(), 0, 'nothing ran');
  });
});

describe('a plan built at one time and applied later', () => {
  const TARGET: CheckTarget = { id: 'lab1', address: 'lab-host1', rdpHost: 'lab-host1', rdpPort: 3389, winrmUrl: 'http://lab-host1:5985/wsman', rdpUsers: ['rdpuser'] };
  const planned = new Date('2026-12-07T09:00:00.000Z');

  test('restore-security-layer planned at 09:00 and approved at 09:14 applies the plan the approver saw', async () => {
    const model = buildHost(['security-layer-mismatch'], { computerName: 'lab-host1', password: 'P@ssw0rd!', now: planned });
    const readFacts = async () => readPlanFacts(executePlan(model, buildReadPlan()));
    const plan = await planFix({ target: TARGET, readFacts, fixId: 'restore-security-layer', now: () => planned });
    assert.ok(!('notApplicable' in plan), 'the fix applies');
    const healthy: Diagnosis = { host: 'lab-host1', verdict: 'ok', headline: 'healthy', findings: [], timingsMs: { probes: 0, plan: 0, total: 0 }, winrmCommands: 0 };
    const outcome = await applyFix({
      target: TARGET,
      runPlan: async (p) => executePlan(model, validatePlan(p)),
      readFacts,
      diagnose: async () => healthy,
      undoStore: new MemoryUndoStore(),
      fixId: 'restore-security-layer',
      expectHash: plan.hash,
      now: () => new Date(planned.getTime() + 14 * MINUTE),
    });
    assert.equal(outcome.applied, true, outcome.message);
    assert.equal(getNumber(model, RDP_TCP, 'SecurityLayer'), 2);
  });

  test('the break-glass disable-nla-temporarily planned at 09:00, approved and applied at 09:25 runs (its identity has no clock in it)', async () => {
    const model = buildHost(['healthy'], { computerName: 'lab-host1', password: 'P@ssw0rd!', now: planned });
    const readFacts = async () => readPlanFacts(executePlan(model, buildReadPlan()));
    const plan = await planFix({ target: TARGET, readFacts, fixId: 'disable-nla-temporarily', now: () => planned });
    assert.ok(!('notApplicable' in plan), 'the fix applies');
    const later = new Date(planned.getTime() + 25 * MINUTE);
    const healthy: Diagnosis = { host: 'lab-host1', verdict: 'ok', headline: 'healthy', findings: [], timingsMs: { probes: 0, plan: 0, total: 0 }, winrmCommands: 0 };
    const outcome = await applyFix({
      target: TARGET,
      runPlan: async (p) => executePlan(model, validatePlan(p), later),
      readFacts,
      diagnose: async () => healthy,
      undoStore: new MemoryUndoStore(),
      fixId: 'disable-nla-temporarily',
      expectHash: plan.hash,
      now: () => later,
    });
    assert.equal(outcome.applied, true, outcome.message);
    assert.equal(getNumber(model, RDP_TCP, 'UserAuthentication'), 0, 'NLA is off');
    const [task] = Object.values(model.tasks);
    assert.equal(task?.dueAt, new Date(later.getTime() + 60 * MINUTE).toISOString(), 'the time box counts from when it was applied, not planned');
  });
});
