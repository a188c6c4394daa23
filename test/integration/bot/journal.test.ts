// The step journal end to end (ADR 0009), against a real redis-server (AOF), the lab and real worker
// processes. A worker process (bin/rdp-medic.js worker) is stopped at every step boundary of every
// multi-step fix at once: each lab host holds its fix at its own boundary (the lab's plan gate, an
// event, never the clock), Redis is killed and restarted, the worker is SIGKILLed, and a new worker
// settles every fix from its journal. Then: a host that stops answering mid-fix, and a journal this
// version cannot read.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { validatePlan } from '../../../src/host/executor.ts';
import type { Operation, Plan } from '../../../src/host/operations.ts';
import { executePlan } from '../../../src/lab/model/execute-plan.ts';
import type { HostModel } from '../../../src/lab/model/host-model.ts';
import type { SimulatedHost } from '../../../src/lab/model/index.ts';
import { silentLogger } from '../../../src/log.ts';
import { startWorkers } from '../../../src/processes/worker.ts';
import { opState } from '../../../src/rdp/fixes/lib/op-state.ts';
import { buildReadPlan, readPlanFacts } from '../../../src/rdp/read-plan.ts';
import { undoFix } from '../../../src/rdp/repair.ts';
import type { CheckTarget } from '../../../src/rdp/types.ts';
import { enqueueFix, jobId } from '../../../src/state/queues.ts';
import { ChatRecorder, person, type Recorded } from '../../fakes/chat-recorder.ts';
import { assertUndoneExactly, comparableSnapshot } from '../../support/model-snapshot.ts';
import { MULTI_STEP_FIXES, stepIdsOf, type MultiStepFix } from '../../support/multi-step-fixes.ts';
import { startStack, type Stack } from '../../support/stack.ts';
import { isForeignLock } from '../../../src/state/fix-lock.ts';

const alice = person('alice');
const bob = person('bob');
const POLICY = {
  roles: { responder: ['console:alice', 'console:bob'], approver: ['console:bob'] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  rateLimit: { commandsPerMinute: 10_000 },
};
const WORKERS = { lockDurationMs: 2_000, stalledIntervalMs: 1_000, diagnoseConcurrency: 20, fixConcurrency: 100 };

const text = (r: Recorded): string => [r.card.title, ...r.card.sections.map((s) => ('text' in s ? s.text : s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : ''))].join('\n');

/** Where a host's fix is stopped: before or after its n-th write, before its first step, or after its last step was recorded. */
type Boundary = { at: 'write'; n: number; stage: 'before' | 'after' } | { at: 'start' } | { at: 'report' };

interface Case {
  host: string;
  fix: MultiStepFix;
  steps: string[];
  boundary: Boundary;
  label: string;
  /** Someone changes the host after the worker died (the next worker must put back what ran). */
  meanwhile?: (m: HostModel) => void;
  approvalId?: string;
  original?: unknown;
}

function cases(): Case[] {
  const out: Case[] = [];
  const add = (c: Omit<Case, 'host'>): void => void out.push({ ...c, host: `j${String(out.length + 1).padStart(2, '0')}` });
  for (const fix of MULTI_STEP_FIXES) {
    const steps = stepIdsOf(fix);
    add({ fix, steps, boundary: { at: 'start' }, label: 'before its first step' });
    steps.forEach((id, i) => {
      add({ fix, steps, boundary: { at: 'write', n: i + 1, stage: 'before' }, label: `after ${id}'s intent, before its write` });
      add({ fix, steps, boundary: { at: 'write', n: i + 1, stage: 'after' }, label: `after ${id} wrote, before its result was recorded` });
    });
    add({ fix, steps, boundary: { at: 'report' }, label: 'after its last step was recorded, before it reported' });
  }
  const tls = MULTI_STEP_FIXES.find((f) => f.fix === 'enable-tls12')!;
  add({
    fix: tls, steps: stepIdsOf(tls), boundary: { at: 'write', n: 1, stage: 'after' }, label: 'after set-tls12-Enabled wrote, then someone changed DisabledByDefault',
    meanwhile: (m) => void (tls12Key(m).values['disabledbydefault']!.data = 2),
  });
  const cert = MULTI_STEP_FIXES.find((f) => f.fix === 'regenerate-rdp-certificate')!;
  add({
    fix: cert, steps: stepIdsOf(cert), boundary: { at: 'write', n: 1, stage: 'after' }, label: 'after move-cert-1 wrote, then someone stopped SessionEnv',
    meanwhile: (m) => void (m.services['sessionenv']!.state = 'Stopped'),
  });
  return out;
}

const tls12Key = (m: HostModel) => Object.values(m.registry).find((k) => /TLS 1\.2\\Server$/i.test(k.path))!;

/** Holds the host's fix at its boundary; resolves `reached` when it gets there, lets go on `release()`. */
function hold(sim: SimulatedHost, c: Case): { reached: Promise<void>; release: () => void } {
  let reach!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => (reach = r));
  const released = new Promise<void>((r) => (release = r));
  let writes = 0;
  let readsAfter = 0;
  let armed = true;
  const total = c.steps.length;
  sim.planGate = async (plan: Plan, stage) => {
    if (!armed) return 'go';
    if (plan.mode === 'write' && stage === 'before') writes++;
    if (plan.mode === 'read' && stage === 'before' && writes === total) readsAfter++;
    const b = c.boundary;
    const hit =
      b.at === 'start' ? plan.mode === 'read' && stage === 'before' :
      b.at === 'report' ? plan.mode === 'read' && stage === 'before' && readsAfter === 2 :
      plan.mode === 'write' && writes === b.n && stage === b.stage;
    if (!hit) return 'go';
    armed = false;
    reach();
    await released;
    // Held before it ran: it never runs (the worker that sent it is dead). Held after: it ran.
    return stage === 'before' ? 'drop' : 'go';
  };
  return { reached, release };
}

function spawnWorker(stack: Stack, dir: string): ChildProcess {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, stringify(stack.config), { mode: 0o600 });
  return spawn(process.execPath, ['bin/rdp-medic.js', 'worker', '--config', file], { env: { ...process.env, RDP_MEDIC_OPS_PORT: '0', LOG_LEVEL: 'error' }, stdio: 'ignore' });
}

async function approvalIdsByHost(stack: Stack): Promise<Map<string, string>> {
  const prefix = stack.config.redis.prefix;
  const keys = await stack.bot!.redis.keys(`${prefix}:approval:a_*`);
  const out = new Map<string, string>();
  for (const key of keys) {
    const id = key.slice(`${prefix}:approval:`.length);
    const record = await stack.bot!.state.approvals.get(id);
    if (record && !record.undoId) out.set(record.host, id);
  }
  return out;
}

const sameTarget = (a: Operation, b: Operation): boolean => JSON.stringify([a.op.split('.')[0], 'name' in a ? a.name : a.id, 'path' in a ? a.path : '']) === JSON.stringify([b.op.split('.')[0], 'name' in b ? b.name : b.id, 'path' in b ? b.path : '']);

/** Every step's effect holds on the host (a stop later undone by its start is judged by the start). */
function assertFullyApplied(c: Case, m: HostModel, ops: Operation[]): void {
  const facts = readPlanFacts(executePlan(m, buildReadPlan()));
  ops.forEach((op, i) => {
    if (ops.slice(i + 1).some((later) => sameTarget(later, op))) return;
    if (op.op === 'task.scheduleRevert') return assert.ok(m.tasks[op.name.toLowerCase()], `${c.host}: the revert task is scheduled`);
    assert.equal(opState(op, facts).post, true, `${c.host} (${c.fix.fix}, ${c.label}): ${op.id}: ${opState(op, facts).now}`);
  });
}

describe('a worker process killed at every step boundary of every multi-step fix', () => {
  test('Redis killed and restarted, the worker SIGKILLed: the next worker settles every fix from its journal, says how it ended and which steps ran', { timeout: 600_000 }, async () => {
    const recorder = new ChatRecorder();
    const all = cases();
    const stack = await startStack([recorder], {
      workers: 0,
      appendonly: true,
      hosts: all.map((c) => ({ name: c.host, scenarios: c.fix.scenarios })),
      config: { policy: POLICY, workers: WORKERS },
    });
    const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-journal-'));
    let child: ChildProcess | null = null;
    const sim = (c: Case) => stack.lab.hosts.find((h) => h.name === c.host)!.simulated;
    try {
      for (const c of all) if (c.fix.prepare) sim(c).mutate(c.fix.prepare);
      child = spawnWorker(stack, dir);
      for (const c of all) await recorder.command(`fix ${c.host} ${c.fix.fix}`, alice);
      await stack.settled(120_000);
      const ids = await approvalIdsByHost(stack);
      for (const c of all) {
        c.approvalId = ids.get(c.host);
        assert.ok(c.approvalId, `${c.host}: an approval for ${c.fix.fix}: ${recorder.records.filter((r) => r.card.title.includes(c.host)).map(text).join(' | ')}`);
        c.original = comparableSnapshot(sim(c).model);
      }
      const holds = all.map((c) => hold(sim(c), c));
      for (const c of all) await recorder.click(`approve:${c.approvalId}`, recorder.action(`approve:${c.approvalId}`).messageId, bob);
      await Promise.all(holds.map((h) => h.reached));

      // Every fix is stopped at its boundary. Redis dies (AOF, fsync always) and comes back; then the worker dies.
      await stack.redis.restart({ hard: true });
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      for (const h of holds) h.release();
      for (const c of all) if (c.meanwhile) sim(c).mutate(c.meanwhile);

      // Ten fixes at a time: each ends with a diagnosis whose RDP probe has a deadline; 74 at once on a
      // loaded machine can miss it, and "not verified" would be the honest answer.
      const rescuer = await startWorkers({ ...stack.config, workers: { ...stack.config.workers, fixConcurrency: 10 } }, silentLogger);
      try {
        await stack.settled(300_000);
      } finally {
        await rescuer.close();
      }

      for (const c of all) {
        const what = `${c.host} (${c.fix.fix}, killed ${c.label})`;
        const results = recorder.records.filter((r) => r.key?.endsWith(`.result.${c.approvalId}`));
        assert.equal(results.length, 1, `${what}: one result`);
        const said = text(results[0]!);
        const approval = await stack.bot!.state.approvals.get(c.approvalId!);
        const model = sim(c).model;
        if (c.boundary.at === 'start') {
          assert.match(said, /was not applied again\. No step had started \(its step journal is empty\), so nothing was changed\./, what);
          assert.equal(approval?.state, 'failed', what);
          assert.deepEqual(comparableSnapshot(model), c.original, `${what}: the host is as before`);
          continue;
        }
        if (c.meanwhile) {
          assert.match(said, /: not applied, put back as before/, what);
          assert.match(said, /put back as before \(verified\)\. The worker applying it stopped after/, what);
          const expected = structuredClone(c.original) as HostModel;
          c.meanwhile(expected);
          assert.deepEqual(comparableSnapshot(model), expected, `${what}: the host is as before, but for the change someone made`);
          assert.deepEqual(results[0]!.card.actions, [], `${what}: nothing to undo`);
          continue;
        }
        assert.match(said, new RegExp(`: applied and verified\\n.*: fully applied and verified\\. The worker applying it stopped`), what);
        for (const id of c.steps) assert.ok(said.includes(id), `${what}: ${id} is named in: ${said}`);
        assert.equal(approval?.state, 'done', what);
        const journal = await stack.bot!.state.journal.of(c.approvalId!).read();
        assert.equal(journal?.phase.phase, 'applied', what);
        assertFullyApplied(c, model, journal!.head.plan.ops);
        // The undo record, saved from the journal though the worker died, puts the host back exactly.
        const undoId = approval?.result?.undoId;
        assert.ok(undoId, `${what}: an undo record`);
        const record = await stack.bot!.state.undo.load(undoId);
        assert.ok(record, `${what}: the undo record is stored`);
        if (c.fix.fix === 'restart-termservice') {
          assert.deepEqual(record.plan.ops, [], `${what}: a restart has nothing to put back`);
          continue;
        }
        assert.equal(results[0]!.card.actions[0]?.id, `undo:${c.host}:${undoId}`, `${what}: Undo is offered`);
        const target: CheckTarget = { id: c.host, address: c.host, rdpHost: c.host, rdpPort: 3389, winrmUrl: 'http://unused/wsman', rdpUsers: ['rdpuser'] };
        const undo = await undoFix({ target, runPlan: async (p) => executePlan(model, validatePlan(p)), readFacts: async () => readPlanFacts(executePlan(model, buildReadPlan())), undoStore: stack.bot!.state.undo, undoId });
        assert.equal(undo.restored && undo.verified, true, `${what}: ${undo.message}`);
        assertUndoneExactly(model, c.original, [undo.message], what);
      }
    } finally {
      child?.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      await stack.close();
    }
  });
});

describe('a host that stops answering mid-fix, and a journal this version cannot read', () => {
  test('the thread says it may be half-applied and which steps ran, the job retries, and when the host answers the fix is finished', { timeout: 120_000 }, async () => {
    const recorder = new ChatRecorder();
    const stack = await startStack([recorder], { hosts: [{ name: 'cert-pc', scenarios: ['cert-expired'] }], config: { policy: POLICY, workers: WORKERS } });
    try {
      const host = stack.lab.hosts[0]!.simulated;
      await recorder.command('fix cert-pc regenerate-rdp-certificate', alice);
      await stack.settled();
      const approvalId = recorder.action('approve:').id.slice('approve:'.length);
      let writes = 0;
      host.planGate = (plan, stage) => {
        if (plan.mode !== 'write' || stage !== 'before' || ++writes !== 2) return 'go';
        // The host goes away while stop-SessionEnv is on its way: that step never runs.
        host.faults.reset = true;
        return 'drop';
      };
      const unreachable = new Promise<Recorded>((resolve) => recorder.events.on('record', (r: Recorded) => r.key?.endsWith(`.unreachable.${approvalId}`) && resolve(r)));
      await recorder.click(`approve:${approvalId}`, recorder.action('approve:').messageId, bob);
      const told = text(await unreachable);
      assert.match(told, /could not reach CERT-PC \(.*\), so its state is not verified: it may be half-applied: move-cert-1 ran; stop-SessionEnv may or may not have run\. .*Its step journal is kept: retrying until/);
      assert.equal((await stack.bot!.state.approvals.get(approvalId))?.state, 'running');
      const lock = await stack.bot!.state.locks.holder('cert-pc');
      assert.equal(lock && !isForeignLock(lock) ? lock.owner : null, `job:${jobId('fix', `apply.${approvalId}`)}`, 'the host stays locked while half-applied');
      assert.equal((await stack.bot!.state.journal.of(approvalId).read())?.phase.unreachable?.tries, 1);

      host.planGate = null;
      host.faults.reset = false;
      await stack.settled(60_000);
      const result = recorder.records.find((r) => r.key?.endsWith(`.result.${approvalId}`));
      assert.ok(result, 'a result');
      assert.match(text(result), /fully applied and verified\. The worker applying it stopped after 1 of 3 step\(s\) were confirmed \(and CERT-PC did not answer for a while\); move-cert-1 had run\. .*stop-SessionEnv, start-SessionEnv ran now\./);
      assert.equal((await stack.bot!.state.approvals.get(approvalId))?.state, 'done');
      assert.equal(await stack.bot!.state.locks.holder('cert-pc'), null);
    } finally {
      await stack.close();
    }
  });

  test('a host that stays away: retrying stops, the thread says what is known and offers undo, which puts the host back', { timeout: 120_000 }, async () => {
    const recorder = new ChatRecorder();
    const stack = await startStack([recorder], { hosts: [{ name: 'cert-pc', scenarios: ['cert-expired'] }], config: { policy: POLICY, workers: WORKERS } });
    try {
      const host = stack.lab.hosts[0]!.simulated;
      const original = comparableSnapshot(host.model);
      await recorder.command('fix cert-pc regenerate-rdp-certificate', alice);
      await stack.settled();
      const approvalId = recorder.action('approve:').id.slice('approve:'.length);
      let writes = 0;
      host.planGate = (plan, stage) => {
        if (plan.mode !== 'write' || stage !== 'after' || ++writes !== 2) return 'go';
        // stop-SessionEnv ran; its answer and everything after it are lost.
        host.faults.reset = true;
        return 'go';
      };
      const unreachable = new Promise<void>((resolve) => recorder.events.on('record', (r: Recorded) => r.key?.endsWith(`.unreachable.${approvalId}`) && resolve()));
      await recorder.click(`approve:${approvalId}`, recorder.action('approve:').messageId, bob);
      await unreachable;
      // Eleven minutes of retries, without waiting them: the journal's own clock is moved back.
      const journal = stack.bot!.state.journal.of(approvalId);
      const snap = await journal.read();
      await journal.write({ phase: { ...snap!.phase, unreachable: { since: new Date(Date.now() - 11 * 60_000).toISOString(), tries: 5 } } });
      await stack.settled(60_000);
      const result = recorder.records.find((r) => r.key?.endsWith(`.result.${approvalId}`));
      assert.ok(result, 'a result');
      assert.match(text(result), /host not answering, state not verified/);
      assert.match(text(result), /it may be half-applied: move-cert-1 ran; stop-SessionEnv may or may not have run\..*Retried for 11 min; stopped retrying\. When it answers, put back what ran with: undo cert-pc u-/s);
      assert.equal((await stack.bot!.state.approvals.get(approvalId))?.state, 'failed');
      const undoId = result.card.actions[0]?.id.split(':')[2];
      assert.ok(undoId, 'Undo is offered');

      host.planGate = null;
      host.faults.reset = false;
      await recorder.click(`undo:cert-pc:${undoId}`, result.messageId, alice);
      await stack.settled();
      const undoApproval = recorder.action('approve:');
      await recorder.click(undoApproval.id, undoApproval.messageId, bob);
      await stack.settled();
      const undone = recorder.records.find((r) => r.key?.endsWith(`.undo.${undoId}`));
      assert.ok(undone, 'an undo result');
      assert.match(text(undone), /undone and verified/);
      assert.deepEqual(comparableSnapshot(host.model), original);
    } finally {
      await stack.close();
    }
  });

  test('a journal record of another version: not resumed, the thread says why, the host is not touched', { timeout: 60_000 }, async () => {
    const recorder = new ChatRecorder();
    const stack = await startStack([recorder], { hosts: [{ name: 'cert-pc', scenarios: ['cert-expired'] }], config: { policy: POLICY, workers: WORKERS } });
    try {
      const host = stack.lab.hosts[0]!.simulated;
      await recorder.command('fix cert-pc regenerate-rdp-certificate', alice);
      await stack.settled();
      const approvalId = recorder.action('approve:').id.slice('approve:'.length);
      assert.ok((await stack.bot!.state.approvals.approve(approvalId, bob)).ok);
      // What a dead worker of a later version left: running under this job's id, a journal of version 2.
      assert.ok((await stack.bot!.state.approvals.start(approvalId, `job:${jobId('fix', `apply.${approvalId}`)}`)).ok);
      await stack.bot!.redis.hset(`${stack.config.redis.prefix}:journal:${approvalId}`, 'head', JSON.stringify({ version: 2 }), 'phase', JSON.stringify({ version: 2, phase: 'applying' }));
      const before = comparableSnapshot(host.model);
      await enqueueFix(stack.bot!.queues, { kind: 'apply', approvalId }, `apply.${approvalId}`);
      await stack.settled();
      const result = recorder.records.find((r) => r.key?.endsWith(`.result.${approvalId}`));
      assert.ok(result, 'a result');
      assert.match(text(result), /its step journal could not be settled \(the step journal of a_[\w-]+: head is not a record this version reads \(version: .*\)\)\. Nothing more was changed; run check cert-pc/);
      assert.equal((await stack.bot!.state.approvals.get(approvalId))?.state, 'failed');
      assert.deepEqual(comparableSnapshot(host.model), before);
    } finally {
      await stack.close();
    }
  });
});
