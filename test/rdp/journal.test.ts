// The step journal in process: a fix stopped at every step boundary of every multi-step fix (the
// "worker" dies at its n-th journal write, before or after the write reached the journal), then
// resumeFix settles it from the journal. The host is the lab model; the undo store and the journal
// are in memory. The same boundaries with a real worker process and SIGKILL:
// test/integration/bot/journal.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { validatePlan } from '../../src/host/executor.ts';
import type { Operation, Plan, PlanResult } from '../../src/host/operations.ts';
import { executePlan } from '../../src/lab/model/execute-plan.ts';
import type { HostModel } from '../../src/lab/model/host-model.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { opState } from '../../src/rdp/fixes/lib/op-state.ts';
import { buildReadPlan, readPlanFacts, type HostFacts } from '../../src/rdp/read-plan.ts';
import { applyFix, resumeFix, undoFix } from '../../src/rdp/repair.ts';
import { MemoryFixJournal, type FixJournal, type JournalHead, type JournalSnapshot, type JournalWrite } from '../../src/rdp/repair-journal.ts';
import type { CheckTarget } from '../../src/rdp/types.ts';
import { MemoryUndoStore } from '../../src/rdp/undo-store.ts';
import { labDiagnose } from '../support/lab-diagnose.ts';
import { assertUndoneExactly, comparableSnapshot } from '../support/model-snapshot.ts';
import { MULTI_STEP_FIXES, multiStepOnBuiltIns, stepIdsOf, type MultiStepFix } from '../support/multi-step-fixes.ts';

const NOW = new Date();
const TARGET: CheckTarget = { id: 'lab1', address: 'lab-host1', rdpHost: 'lab-host1', rdpPort: 3389, winrmUrl: 'http://lab-host1:5985/wsman', rdpUsers: ['rdpuser'] };

class Killed extends Error {}

/** The worker dies at its n-th journal write: 'kept' after the write reached the journal, 'lost' before. */
class DyingJournal implements FixJournal {
  private n = 0;
  constructor(
    private readonly inner: FixJournal,
    private readonly dieAt: number,
    private readonly mode: 'kept' | 'lost',
  ) {}

  async write(entry: JournalWrite): Promise<void> {
    if (++this.n === this.dieAt && this.mode === 'lost') throw new Killed('killed before this write');
    await this.inner.write(entry);
    if (this.n === this.dieAt) throw new Killed('killed after this write');
  }

  read(): Promise<JournalSnapshot | null> {
    return this.inner.read();
  }
}

interface LabHost {
  model: HostModel;
  runPlan(plan: Plan): Promise<PlanResult>;
  readFacts(): Promise<HostFacts>;
}

function labHost(c: Pick<MultiStepFix, 'scenarios' | 'prepare'>): LabHost {
  const model = buildHost(c.scenarios, { computerName: 'lab-host1', password: 'P@ssw0rd!', now: NOW });
  c.prepare?.(model);
  return { model, runPlan: async (plan) => executePlan(model, validatePlan(plan)), readFacts: async () => readPlanFacts(executePlan(model, buildReadPlan())) };
}

function deps(h: LabHost, store: MemoryUndoStore) {
  return { target: TARGET, runPlan: h.runPlan, readFacts: h.readFacts, diagnose: async () => labDiagnose(h.model), undoStore: store };
}

const targetKey = (op: Operation): string => {
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete':
      return `${op.path}\\${op.name}`.toLowerCase();
    case 'service.control':
    case 'service.startType':
      return `${op.op}:${op.name}`.toLowerCase();
    default:
      return op.id;
  }
};

/** Every step's effect holds on the host (a stop later undone by its start is judged by the start). */
async function assertFullyApplied(h: LabHost, ops: Operation[]): Promise<void> {
  const facts = await h.readFacts();
  ops.forEach((op, i) => {
    if (ops.slice(i + 1).some((later) => targetKey(later) === targetKey(op))) return;
    if (op.op === 'task.scheduleRevert') return assert.ok(h.model.tasks[op.name.toLowerCase()], `the revert task ${op.name} is scheduled`);
    assert.equal(opState(op, facts).post, true, `${op.id}: ${opState(op, facts).now}`);
  });
}

/** The undo record put the host back exactly (a restart has nothing to put back: the record is empty). */
async function assertUndoPutsBack(c: MultiStepFix, h: LabHost, store: MemoryUndoStore, undoId: string | null, original: unknown): Promise<void> {
  assert.ok(undoId, 'an undo record id');
  const record = await store.load(undoId);
  assert.ok(record, 'the undo record was saved');
  if (c.fix === 'restart-termservice') return assert.deepEqual(record.plan.ops, []);
  const undo = await undoFix({ target: TARGET, runPlan: h.runPlan, readFacts: h.readFacts, undoStore: store, undoId });
  assert.equal(undo.restored && undo.verified, true, undo.message);
  assertUndoneExactly(h.model, original, [undo.message]);
}

describe('the cases cover every multi-step fix', () => {
  it('each case has more than one step, and every fix with more than one step on a built-in scenario is a case', () => {
    for (const c of MULTI_STEP_FIXES) assert.ok(stepIdsOf(c, NOW).length > 1, `${c.fix} has one step`);
    const covered = new Set<string>(MULTI_STEP_FIXES.map((c) => c.fix));
    for (const id of multiStepOnBuiltIns(NOW)) assert.ok(covered.has(id), `${id} has several steps but no journal case`);
  });
});

describe('a fix stopped at every step boundary is settled from its journal', () => {
  for (const c of MULTI_STEP_FIXES) {
    const ids = stepIdsOf(c, NOW);
    const n = ids.length;
    // Write k carries step k's intent (and step k-1's result); write n+1 the last result, the phase and the undo record.
    const boundaries = [
      ...ids.flatMap((id, k) => [
        { label: `after ${id}'s intent, before its write`, dieAt: k + 1, mode: 'kept' as const },
        { label: `after ${id} wrote, before its result was recorded`, dieAt: k + 2, mode: 'lost' as const },
      ]),
      { label: 'after the last result was recorded, before the outcome was reported', dieAt: n + 1, mode: 'kept' as const },
    ];
    for (const b of boundaries) {
      it(`${c.fix} (${n} steps), killed ${b.label}: fully applied and verified, the steps named, the undo record right`, async () => {
        const h = labHost(c);
        const original = comparableSnapshot(h.model);
        const store = new MemoryUndoStore();
        const journal = new MemoryFixJournal(store);
        await assert.rejects(applyFix({ ...deps(h, store), fixId: c.fix, journal: new DyingJournal(journal, b.dieAt, b.mode) }), Killed);
        const out = await resumeFix({ ...deps(h, store), journal });
        assert.ok(out, 'the journal has the fix');
        assert.equal(out.end, 'applied', out.message);
        assert.equal(out.applied && out.verified, true, out.message);
        assert.match(out.message, /: fully applied and verified\. The worker applying it stopped/);
        for (const id of ids) assert.ok(out.message.includes(id), `${id} is named in: ${out.message}`);
        assert.deepEqual(out.steps.map((s) => [s.id, s.ok]), ids.map((id) => [id, true]));
        const head = (await journal.read())?.head;
        assert.ok(head);
        await assertFullyApplied(h, head.plan.ops);
        assert.equal((await journal.read())?.phase.phase, 'applied');
        await assertUndoPutsBack(c, h, store, out.undoId, original);
      });
    }
  }
});

describe('the journal itself', () => {
  it('an n-step fix makes n+1 journal writes: one per step, the last with the undo record (no separate save)', async () => {
    const c = MULTI_STEP_FIXES.find((x) => x.fix === 'enable-tls12')!;
    const h = labHost(c);
    let saves = 0;
    const store = new (class extends MemoryUndoStore {
      override async save(r: Parameters<MemoryUndoStore['save']>[0]): Promise<void> {
        saves++;
        return super.save(r);
      }
    })();
    const journal = new MemoryFixJournal(store);
    const out = await applyFix({ ...deps(h, store), fixId: c.fix, journal });
    assert.equal(out.verified, true, out.message);
    assert.match(out.message, /applied on LAB-HOST1 and verified/);
    assert.equal(journal.writes, stepIdsOf(c, NOW).length + 1);
    assert.equal(saves, 1);
    const snap = await journal.read();
    assert.deepEqual(snap?.steps.map((s) => s.state), ['done', 'done', 'done', 'done', 'done']);
    // Each step's undo record was written before its write, and is the previous state the write then returned.
    for (const s of snap?.steps ?? []) {
      const r = s.result;
      assert.ok(r?.ok && s.undo?.ok);
      assert.deepEqual(s.undo.previous, r.previous, s.id);
    }
  });

  it('records carry a version: a record of another version is refused', async () => {
    const journal = new MemoryFixJournal(new MemoryUndoStore());
    const head = { version: 2, fixId: 'enable-tls12' } as unknown as JournalHead;
    await assert.rejects(journal.write({ head }), /version/);
    assert.equal(await journal.read(), null);
  });
});

describe('settling when the host changed, or does not answer', () => {
  const tls = MULTI_STEP_FIXES.find((x) => x.fix === 'enable-tls12')!;
  const dbdKey = (m: HostModel) => Object.values(m.registry).find((k) => /TLS 1\.2\\Server$/i.test(k.path))!;

  it('killed after step 1, then someone changes what step 2 expects: what ran is put back, the host is as before', async () => {
    const h = labHost(tls);
    const store = new MemoryUndoStore();
    const journal = new MemoryFixJournal(store);
    await assert.rejects(applyFix({ ...deps(h, store), fixId: tls.fix, journal: new DyingJournal(journal, 2, 'lost') }), Killed);
    dbdKey(h.model).values['disabledbydefault']!.data = 2;
    // As before the fix, but for the hand change (Enabled back to 0).
    const expected = comparableSnapshot(h.model) as HostModel;
    dbdKey(expected).values['enabled']!.data = 0;
    const out = await resumeFix({ ...deps(h, store), journal });
    assert.equal(out?.end, 'as-before', out?.message);
    assert.equal(out.applied, false);
    assert.match(out.message, /put back as before \(verified\)\. The worker applying it stopped .*set-tls12-Enabled had run\. .*changed since the fix began: before set-tls12-DisabledByDefault, .*DisabledByDefault is DWord 2, so set-tls12-Enabled was put back/);
    assert.deepEqual(comparableSnapshot(h.model), expected);
    assert.equal(out.undoId, null);
    const [rec] = await store.list('LAB-HOST1');
    assert.ok(rec?.undoneAt, 'the undo record is marked undone');
    assert.equal((await journal.read())?.phase.phase, 'rolled-back');
  });

  it('killed after the rollback ran, before it was recorded: the next worker finds it put back and says so', async () => {
    const h = labHost(tls);
    let calls = 0;
    const runPlan = async (plan: Plan) => {
      const r = await h.runPlan(plan);
      if (calls++ === 0) dbdKey(h.model).values['disabledbydefault']!.data = 2;
      return r;
    };
    const store = new MemoryUndoStore();
    const journal = new MemoryFixJournal(store);
    // Writes: intent 1, intent 2, the failed step + rolling-back + undo record, then the final phase (lost).
    await assert.rejects(applyFix({ ...deps(h, store), runPlan, fixId: tls.fix, journal: new DyingJournal(journal, 4, 'lost') }), Killed);
    assert.equal((await journal.read())?.phase.phase, 'rolling-back');
    const out = await resumeFix({ ...deps(h, store), journal });
    assert.equal(out?.end, 'as-before', out?.message);
    assert.match(out.message, /put back as before \(verified\)\. The worker rolling it back stopped before it finished; set-tls12-Enabled had run\./);
    assert.equal(getDword(h.model, 'enabled'), 0);
  });

  it('the host stops answering while what ran is being put back: nothing is claimed, the roll-back is finished later', async () => {
    const h = labHost(tls);
    let writes = 0;
    let down = false;
    const runPlan = async (plan: Plan) => {
      if (down && plan.mode === 'write') throw new Error('connect ETIMEDOUT');
      const r = await h.runPlan(plan);
      if (plan.mode === 'write' && ++writes === 1) dbdKey(h.model).values['disabledbydefault']!.data = 2;
      if (writes === 2) down = true;
      return r;
    };
    const store = new MemoryUndoStore();
    const journal = new MemoryFixJournal(store);
    const out = await applyFix({ ...deps(h, store), runPlan, fixId: tls.fix, journal });
    assert.equal(out.end, 'unreachable', out.message);
    assert.match(out.message, /could not reach LAB-HOST1 \(the host did not answer \(connect ETIMEDOUT\); this step may or may not have run\), so its state is not verified: it may be half-applied: set-tls12-Enabled ran/);
    assert.equal((await journal.read())?.phase.phase, 'rolling-back');
    assert.equal(getDword(h.model, 'enabled'), 1, 'not put back yet');
    const later = await resumeFix({ ...deps(h, store), journal });
    assert.equal(later?.end, 'as-before', later?.message);
    assert.equal(getDword(h.model, 'enabled'), 0);
  });

  it('the host cannot be read: nothing is claimed, the journal stays, the undo record covers what ran; later it is finished', async () => {
    const c = MULTI_STEP_FIXES.find((x) => x.fix === 'regenerate-rdp-certificate')!;
    const h = labHost(c);
    const original = comparableSnapshot(h.model);
    const store = new MemoryUndoStore();
    const journal = new MemoryFixJournal(store);
    // Killed after stop-SessionEnv wrote, before its result was recorded.
    await assert.rejects(applyFix({ ...deps(h, store), fixId: c.fix, journal: new DyingJournal(journal, 3, 'lost') }), Killed);
    const down = async (): Promise<HostFacts> => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5985');
    };
    const out = await resumeFix({ ...deps(h, store), readFacts: down, journal });
    assert.equal(out?.end, 'unreachable');
    assert.equal(out.applied || out.verified, false);
    assert.match(out.message, /could not reach LAB-HOST1 \(connect ECONNREFUSED .*\), so its state is not verified: it may be half-applied: move-cert-1 ran; stop-SessionEnv may or may not have run/);
    assert.equal((await journal.read())?.phase.phase, 'applying');
    const saved = await store.load(out.undoId ?? '');
    // Starts SessionEnv (skipped if the stop never ran), then moves the certificate back.
    assert.deepEqual(saved?.plan.ops.map((o) => [o.op, 'action' in o ? o.action : o.id]), [['service.control', 'start'], ['cert.move', 'undo-move-cert-1']]);

    const later = await resumeFix({ ...deps(h, store), journal });
    assert.equal(later?.end, 'applied', later?.message);
    assert.match(later.message, /fully applied and verified\. .*move-cert-1, stop-SessionEnv had run\. .* start-SessionEnv ran now/);
    await assertUndoPutsBack(c, h, store, later.undoId, original);
  });

  it('the host stays away and a person undoes what may have run: the host is exactly as before (the certificate SessionEnv made on start removed)', async () => {
    const c = MULTI_STEP_FIXES.find((x) => x.fix === 'regenerate-rdp-certificate')!;
    const h = labHost(c);
    const original = comparableSnapshot(h.model);
    const store = new MemoryUndoStore();
    const journal = new MemoryFixJournal(store);
    await assert.rejects(applyFix({ ...deps(h, store), fixId: c.fix, journal: new DyingJournal(journal, 3, 'lost') }), Killed);
    const out = await resumeFix({ ...deps(h, store), readFacts: async () => Promise.reject(new Error('timed out')), journal });
    assert.equal(out?.end, 'unreachable');
    const undo = await undoFix({ target: TARGET, runPlan: h.runPlan, readFacts: h.readFacts, undoStore: store, undoId: out.undoId ?? '' });
    assert.equal(undo.restored && undo.verified, true, undo.message);
    assert.deepEqual(comparableSnapshot(h.model), original);
  });

  it('the host stops answering in the middle of a step, then answers: the step is judged from the host, the fix finished', async () => {
    const c = MULTI_STEP_FIXES.find((x) => x.fix === 'regenerate-rdp-certificate')!;
    for (const ranFirst of [true, false]) {
      const h = labHost(c);
      const store = new MemoryUndoStore();
      let writes = 0;
      const runPlan = async (plan: Plan) => {
        if (plan.mode === 'write' && ++writes === 2) {
          if (ranFirst) await h.runPlan(plan);
          throw new Error('socket hang up');
        }
        return h.runPlan(plan);
      };
      const out = await applyFix({ ...deps(h, store), runPlan, fixId: c.fix, journal: new MemoryFixJournal(store) });
      assert.equal(out.end, 'applied', out.message);
      assert.equal(out.verified, true, out.message);
      assert.match(out.message, /fully applied and verified\. LAB-HOST1 stopped answering during step stop-SessionEnv \(the host did not answer \(socket hang up\)\)/);
      assert.match(out.message, ranFirst ? /stop-SessionEnv had run\. .* start-SessionEnv ran now/ : /move-cert-1 had run\. .* stop-SessionEnv, start-SessionEnv ran now/);
    }
  });
});

function getDword(m: HostModel, name: string): unknown {
  return Object.values(m.registry).find((k) => /TLS 1\.2\\Server$/i.test(k.path))?.values[name]?.data;
}
