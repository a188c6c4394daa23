// applyFix / undoFix end to end: the lab executor as runPlan, the read plan for facts, a temp-dir
// FileUndoStore, the lab's real RDP listener probed with the real bot-side probe. The diagnosis
// is a small stand-in derived from the lab model (test/support/lab-diagnose.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validatePlan } from '../../src/host/executor.ts';
import type { Plan, PlanResult } from '../../src/host/operations.ts';
import { buildReadPlan, readPlanFacts, type HostFacts } from '../../src/rdp/read-plan.ts';
import { executePlan } from '../../src/lab/model/execute-plan.ts';
import type { HostModel } from '../../src/lab/model/host-model.ts';
import { deriveRdpState } from '../../src/lab/model/rdp-state.ts';
import { runDueTasks } from '../../src/lab/model/tasks.ts';
import { startRdpListener, type RdpListener } from '../../src/lab/rdp/index.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { probeRdp } from '../../src/rdp/probes/index.ts';
import { applyFix, planFix, undoFix, UnknownFixError, UnknownUndoError, type ApplyFixArgs } from '../../src/rdp/repair.ts';
import type { CheckTarget, Diagnosis } from '../../src/rdp/types.ts';
import { FileUndoStore, MemoryUndoStore, newUndoId, UNDO_ID_PATTERN, type UndoStore } from '../../src/rdp/undo-store.ts';
import { comparableSnapshot } from '../support/model-snapshot.ts';
import { labDiagnose } from '../support/lab-diagnose.ts';

const NOW = new Date();
const OPTS = { computerName: 'lab-host1', password: 'P@ssw0rd!', now: NOW };
const TARGET: CheckTarget = { id: 'lab1', address: 'lab-host1', rdpHost: 'lab-host1', rdpPort: 3389, winrmUrl: 'http://lab-host1:5985/wsman', rdpUsers: ['rdpuser'] };


interface Lab {
  model: HostModel;
  runPlan(plan: Plan): Promise<PlanResult>;
  readFacts(): Promise<HostFacts>;
  diagnose(): Promise<Diagnosis>;
}

function lab(scenarios: string[]): Lab {
  const model = buildHost(scenarios, OPTS);
  return {
    model,
    runPlan: async (plan) => executePlan(model, validatePlan(plan)),
    readFacts: async () => readPlanFacts(executePlan(model, buildReadPlan())),
    diagnose: async () => labDiagnose(model),
  };
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'rdp-medic-undo-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const deps = (l: Lab, store: UndoStore = new FileUndoStore(join(dir, 'undo'))) => ({ target: TARGET, runPlan: l.runPlan, readFacts: l.readFacts, undoStore: store });

describe('applyFix / undoFix', () => {
  it('cert-expired end to end: the real RDP probe sees the expired certificate, the fix, verification, undo, a second undo refused', async () => {
    const l = lab(['cert-expired']);
    const before = comparableSnapshot(l.model);
    const listener: RdpListener = await startRdpListener({ getState: () => deriveRdpState(l.model) });
    try {
      const probe = async () => {
        await listener.refresh();
        return probeRdp({ host: '127.0.0.1', port: listener.realPortFor(3389) ?? 0, servername: 'lab-host1', timeoutMs: 3000 });
      };
      const pre = await probe();
      assert.equal(pre.certificate?.expired, true);
      const store = new FileUndoStore(join(dir, 'undo'));
      const out = await applyFix({ ...deps(l, store), fixId: 'regenerate-rdp-certificate', diagnose: l.diagnose, probeRdp: probe });
      assert.equal(out.applied, true, out.message);
      assert.equal(out.verified, true, out.message);
      assert.match(out.undoId ?? '', UNDO_ID_PATTERN);
      // The SessionEnv restart is two steps (stop, start): contract v2 has no restart action.
      assert.deepEqual(out.steps.map((s) => [s.op, s.ok]), [['cert.move', true], ['service.control', true], ['service.control', true]]);
      assert.match(out.message, /applied on LAB-HOST1 and verified\. Undo with: rdp-medic undo lab1 u-[0-9a-z]{8} --yes/);
      assert.equal(out.host, 'lab1', 'outcomes name the inventory host');
      const post = await probe();
      assert.equal(post.certificate?.expired, false);
      // Stored atomically, private.
      assert.equal(statSync(store.dir).mode & 0o777, 0o700);
      assert.deepEqual(readdirSync(store.dir), [`${out.undoId}.json`]);
      assert.equal(statSync(join(store.dir, `${out.undoId}.json`)).mode & 0o777, 0o600);

      const undo = await undoFix({ ...deps(l, store), undoId: out.undoId ?? '' });
      assert.equal(undo.restored, true, undo.message);
      assert.equal(undo.verified, true, undo.message);
      assert.deepEqual(comparableSnapshot(l.model), before);
      assert.equal((await probe()).certificate?.expired, true);

      const again = await undoFix({ ...deps(l, store), undoId: out.undoId ?? '' });
      assert.equal(again.restored, false);
      assert.match(again.message, /already undone at \d{4}-/);
      assert.deepEqual(comparableSnapshot(l.model), before);
    } finally {
      await listener.close();
    }
  });

  it('unknown fix id: an error listing the known ids', async () => {
    const l = lab(['healthy']);
    await assert.rejects(applyFix({ ...deps(l), fixId: 'reboot-it', diagnose: l.diagnose }), (e: unknown) => {
      assert.ok(e instanceof UnknownFixError);
      assert.match(e.message, /unknown fix "reboot-it"; known fixes: enable-rdp, start-termservice, .*start-rdp-dependency/);
      return true;
    });
  });

  it('unknown undo id: a clear error with the recent undo ids for that host', async () => {
    const l = lab(['firewall-blocked']);
    const store = new MemoryUndoStore();
    const out = await applyFix({ ...deps(l, store), fixId: 'enable-rdp-firewall-rules', diagnose: l.diagnose });
    assert.equal(out.verified, true, out.message);
    await assert.rejects(undoFix({ ...deps(l, store), undoId: 'u-zzzzzzzz' }), (e: unknown) => {
      assert.ok(e instanceof UnknownUndoError);
      assert.match(e.message, new RegExp(`no undo record "u-zzzzzzzz"; recent undo ids for lab1: ${out.undoId} \\(enable-rdp-firewall-rules, `));
      return true;
    });
  });

  it('not applicable: nothing applied, nothing saved, the reason in plain words', async () => {
    const l = lab(['healthy']);
    const before = structuredClone(l.model);
    const store = new MemoryUndoStore();
    const out = await applyFix({ ...deps(l, store), fixId: 'regenerate-rdp-certificate', diagnose: l.diagnose });
    assert.equal(out.applied, false);
    assert.equal(out.undoId, null);
    assert.match(out.message, /not applied on LAB-HOST1, because the "Remote Desktop" store already holds a usable certificate .*Nothing was changed\./);
    assert.deepEqual(l.model, before);
    assert.deepEqual(await store.list('LAB-HOST1'), []);
  });

  it('the host changed between diagnosis and apply: refused, nothing changed, the message says what changed', async () => {
    const l = lab(['firewall-blocked']);
    let reads = 0;
    const readFacts = async () => {
      const facts = await l.readFacts();
      // Someone else re-enables the TCP rule right after our diagnosis.
      if (reads++ === 0) for (const r of l.model.firewall.rules) if (r.name === 'RemoteDesktop-UserMode-In-TCP') r.enabled = true;
      return facts;
    };
    const out = await applyFix({ ...deps(l), readFacts, fixId: 'enable-rdp-firewall-rules', diagnose: l.diagnose });
    const afterChange = structuredClone(l.model);
    assert.equal(out.applied, false);
    assert.equal(out.undoId, null);
    assert.match(out.message, /LAB-HOST1 changed since the diagnosis: firewall rules are now RemoteDesktop-UserMode-In-TCP enabled, RemoteDesktop-UserMode-In-UDP disabled, the diagnosis saw .*; nothing was changed\./);
    assert.deepEqual(out.steps.map((s) => [s.ok, s.error?.code]), [[false, 'PreconditionFailed']]);
    assert.deepEqual(l.model, afterChange);
  });

  it('a later step fails after earlier ones changed the host: they are rolled back at once', async () => {
    const l = lab(['tls-disabled']);
    const before = comparableSnapshot(l.model);
    let calls = 0;
    const runPlan = async (plan: Plan) => {
      const r = await l.runPlan(plan);
      // After the first write, someone flips DisabledByDefault: the second step's precondition fails.
      if (calls++ === 0) {
        const key = Object.values(l.model.registry).find((k) => /TLS 1\.2\\Server$/i.test(k.path));
        if (key?.values['disabledbydefault']) key.values['disabledbydefault'].data = 2;
      }
      return r;
    };
    const store = new MemoryUndoStore();
    const out = await applyFix({ ...deps(l, store), runPlan, fixId: 'enable-tls12', diagnose: l.diagnose });
    assert.equal(out.applied, false);
    assert.equal(out.undoId, null);
    // Two registry writes, then the TermService restart steps: stop, start, start UmRdpService.
    assert.deepEqual(out.steps.map((s) => s.ok), [true, false, false, false, false]);
    assert.match(out.steps[2]?.error?.message ?? '', /skipped/);
    assert.match(out.message, /changed since the diagnosis: .*DisabledByDefault is now DWord 2, the diagnosis saw DWord 1\. The 1 step\(s\) already done were rolled back/);
    // Everything but the foreign change is as before; TermService was never restarted.
    const expected = before as HostModel;
    const key = Object.values(expected.registry).find((k) => /TLS 1\.2\\Server$/i.test(k.path));
    if (key?.values['disabledbydefault']) key.values['disabledbydefault'].data = 2;
    assert.deepEqual(comparableSnapshot(l.model), expected);
    const [rec] = await store.list('LAB-HOST1');
    assert.ok(rec?.undoneAt, 'the rollback is recorded as undone');
  });

  it('undo refused when the host changed since the fix; nothing changed', async () => {
    const l = lab(['firewall-blocked']);
    const store = new MemoryUndoStore();
    const out = await applyFix({ ...deps(l, store), fixId: 'enable-rdp-firewall-rules', diagnose: l.diagnose });
    for (const r of l.model.firewall.rules) if (r.name === 'RemoteDesktop-UserMode-In-UDP') r.enabled = false;
    const changed = structuredClone(l.model);
    const undo = await undoFix({ ...deps(l, store), undoId: out.undoId ?? '' });
    assert.equal(undo.restored, false);
    assert.match(undo.message, /changed since the fix, so undo u-\w+ was refused: RemoteDesktop-UserMode-In-TCP enabled, RemoteDesktop-UserMode-In-UDP disabled\. Nothing was changed\./);
    assert.deepEqual(l.model, changed);
    assert.equal((await store.load(out.undoId ?? ''))?.undoneAt, undefined);
  });

  it('disable-nla-temporarily: applied with its revert task; undo before expiry cancels it; after expiry the undo finds NLA already back', async () => {
    const l = lab(['healthy']);
    const before = comparableSnapshot(l.model);
    const store = new MemoryUndoStore();
    const out = await applyFix({ ...deps(l, store), fixId: 'disable-nla-temporarily', diagnose: l.diagnose });
    assert.equal(out.applied, true);
    assert.equal(out.verified, true, out.message);
    assert.match(out.message, /reverts itself on the host at .* \(scheduled task rdp-medic-revert-disable-nla-temporarily-[0-9a-f]{8}\) unless undone earlier/);
    assert.equal(deriveRdpState(l.model).nla, false);
    const undo = await undoFix({ ...deps(l, store), undoId: out.undoId ?? '' });
    assert.equal(undo.restored && undo.verified, true, undo.message);
    assert.deepEqual(l.model.tasks, {});
    assert.deepEqual(comparableSnapshot(l.model), before);

    // Expired: the task ran on the host before anyone undid it.
    const out2 = await applyFix({ ...deps(l, store), fixId: 'disable-nla-temporarily', diagnose: l.diagnose, now: () => new Date(Date.now() + 1000) });
    runDueTasks(l.model, new Date(Date.now() + 61 * 60_000));
    assert.equal(deriveRdpState(l.model).nla, true);
    const undo2 = await undoFix({ ...deps(l, store), undoId: out2.undoId ?? '' });
    assert.equal(undo2.restored && undo2.verified, true, undo2.message);
    assert.match(undo2.message, /already back, e\.g\. the revert task ran/);
    assert.deepEqual(comparableSnapshot(l.model), before);
  });

  it('disable-nla-temporarily approved a minute after it was planned: applied, its revert task the one approved', async () => {
    const l = lab(['healthy']);
    const planned = new Date(NOW.getTime() - 60_000);
    const plan = await planFix({ target: TARGET, readFacts: l.readFacts, fixId: 'disable-nla-temporarily', now: () => planned });
    assert.ok(!('notApplicable' in plan));
    assert.equal(plan.plannedAt, planned.toISOString());
    // Rebuilt at apply time (a minute later, with or without the plan's time), it is the plan approved:
    // nothing in its identity comes from the clock.
    const out = await applyFix({ ...deps(l, new MemoryUndoStore()), fixId: 'disable-nla-temporarily', diagnose: l.diagnose, expectHash: plan.hash });
    assert.equal(out.applied && out.verified, true, out.message);
    assert.ok(l.model.tasks[(plan.apply.ops[0] as { name: string }).name.toLowerCase()], 'the approved task name');
  });

  it('undo ids are short and typeable; the file store finds nothing for a malformed id', async () => {
    for (let i = 0; i < 50; i++) assert.match(newUndoId(), UNDO_ID_PATTERN);
    assert.equal(await new FileUndoStore(join(dir, 'undo')).load('../../etc/passwd'), null);
  });

  it('restart-termservice on a host whose listener is up: not applicable', async () => {
    const l = lab(['healthy']);
    const args: ApplyFixArgs = { ...deps(l, new MemoryUndoStore()), fixId: 'restart-termservice', diagnose: l.diagnose };
    const out = await applyFix(args);
    assert.equal(out.applied, false); // healthy listener: not applicable
    assert.match(out.message, /already listens on port 3389/);
  });
});
