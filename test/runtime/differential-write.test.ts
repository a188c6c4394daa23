// Every fix the catalogue has, planned from a scenario where it applies, run by the real engine
// under pwsh and by the lab's TypeScript operations over copies of the same host: check mode, the
// apply, the same plan again (every precondition now stale: PreconditionFailed, then NotRun), and the
// undo built from each side's own undo records. Results and the hosts left behind must agree.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Plan, type PlanResult } from '../../src/host/operations.ts';
import { buildReadPlan, readPlanFacts, type HostFacts } from '../../src/rdp/read-plan.ts';
import type { HostModel } from '../../src/lab/model/index.ts';
import { runDueTasks } from '../../src/lab/model/index.ts';
import { buildHost, SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { buildFix, buildUndo, FIX_IDS, isNotApplicable } from '../../src/rdp/fixes/index.ts';
import type { CheckTarget, FixPlan } from '../../src/rdp/types.ts';
import { comparableSnapshot } from '../support/model-snapshot.ts';
import { comparable, recordCoverage, recordPlan, runModel, runPwsh } from './harness.ts';

const NOW = new Date('2026-12-07T02:00:00Z');
const LATER = new Date(NOW.getTime() + 61 * 60_000);
const READ = buildReadPlan({ limits: { cimTimeoutSec: 2 } });
const target: CheckTarget = { id: 'work-pc', address: 'work-pc.lab.test', rdpHost: '127.0.0.1', rdpPort: 3389, winrmUrl: 'http://127.0.0.1:5985/wsman', rdpUsers: ['WORK-PC\\rdpuser', 'LAB\\alice'] };

const build = (scenario: string): HostModel => buildHost(scenario.split('+'), { computerName: 'WORK-PC', password: 'Lab-Passw0rd!', now: NOW });
const facts = (model: HostModel): HostFacts => readPlanFacts(runModel(model, READ, NOW));

/** The first scenario (in registry order) where each fix applies. */
function fixCases(): { fixId: string; scenario: string; fix: FixPlan; model: HostModel }[] {
  const cases = [];
  for (const fixId of FIX_IDS) {
    for (const scenario of SCENARIOS.keys()) {
      const model = build(scenario);
      const fix = buildFix(fixId, { facts: facts(model), target, now: NOW });
      if (!isNotApplicable(fix)) {
        cases.push({ fixId, scenario, fix, model });
        break;
      }
    }
  }
  return cases;
}

/**
 * Windows makes a new certificate when SessionEnv restarts without one: random keys on each side.
 * Its identity (DER, thumbprint, key container, PEMs) is replaced by a placeholder so the rest
 * compares; identities are remembered once seen, since an undo removes them again.
 */
class Generated {
  private readonly identities = new Set<string>();
  constructor(private readonly before: HostModel) {}

  note(...models: HostModel[]): void {
    const known = new Set(Object.values(this.before.certStores).flatMap((s) => s.certs.map((c) => c.thumbprint)));
    for (const c of models.flatMap((m) => Object.values(m.certStores).flatMap((s) => s.certs))) {
      if (known.has(c.thumbprint)) continue;
      const der = c.certPem.replace(/-----[^-]+-----|\s/g, '');
      for (const x of [der, c.certPem, c.keyPem, c.thumbprint, c.keyContainer]) if (typeof x === 'string' && x.length > 0) this.identities.add(JSON.stringify(x).slice(1, -1));
    }
  }

  hide(json: unknown): string {
    let text = JSON.stringify(json);
    for (const x of this.identities) text = text.split(x).join('(generated)');
    return text;
  }
}

interface Side {
  model: HostModel;
  run(model: HostModel, plan: Plan, now?: Date): Promise<PlanResult>;
}

const SIDES = (original: HostModel): { pwsh: Side; lab: Side } => ({
  pwsh: { model: structuredClone(original), run: (m, p, now = NOW) => runPwsh(m, p, { now }) },
  lab: { model: structuredClone(original), run: (m, p, now = NOW) => Promise.resolve(runModel(m, p, now)) },
});

const preconditionRefusals = (r: PlanResult): string[] => r.results.filter((x) => !x.ok && x.error.code === 'PreconditionFailed').map((x) => x.id);

describe('write plans: pwsh engine == lab model, for every fix', { concurrency: 2 }, () => {
  for (const c of fixCases()) {
    test(`${c.fixId} (${c.scenario})`, async () => {
      const { pwsh, lab } = SIDES(c.model);
      const generated = new Generated(c.model);
      const compare = async (plan: Plan, what: string, labPlan = plan): Promise<{ ps: PlanResult; ts: PlanResult }> => {
        const [ps, ts] = await Promise.all([pwsh.run(pwsh.model, plan), lab.run(lab.model, labPlan)]);
        generated.note(pwsh.model, lab.model);
        assert.equal(generated.hide(comparable(ps)), generated.hide(comparable(ts)), `${what}: results differ`);
        assert.equal(generated.hide(comparableSnapshot(pwsh.model)), generated.hide(comparableSnapshot(lab.model)), `${what}: the hosts differ afterwards`);
        recordPlan(plan, c.scenario);
        return { ps, ts };
      };

      // Check mode: what would change, and nothing changes.
      const checked = await compare(Plan.parse({ ...c.fix.apply, check: true }), 'check mode');
      assert.equal(checked.ps.check, true);
      assert.deepEqual(comparableSnapshot(pwsh.model), comparableSnapshot(c.model), 'check mode changed the host');

      const applied = await compare(c.fix.apply, 'apply');
      assert.ok(applied.ps.results.every((r) => r.ok), `the fix failed: ${JSON.stringify(applied.ps.results.filter((r) => !r.ok))}`);

      // The same plan again: the host is no longer what it was planned from.
      const again = await compare(c.fix.apply, 'apply again');
      const refused = preconditionRefusals(again.ps);
      recordCoverage({ preconditions: refused.map((id) => `${c.fixId}:${id}`) });
      if (refused.length > 0) {
        const at = again.ps.results.findIndex((r) => !r.ok);
        assert.ok(again.ps.results.slice(at + 1).every((r) => !r.ok && r.error.code === 'NotRun'), 'a write plan stops at its first failure');
      }

      // Undo from each side's own undo records, then both hosts are back where they started.
      const undoFor = (side: Side, result: PlanResult): Plan => buildUndo(c.fix, result, 'u-test', NOW, facts(side.model), facts(c.model)).plan;
      const psUndo = undoFor(pwsh, applied.ps);
      const tsUndo = undoFor(lab, applied.ts);
      assert.equal(generated.hide(psUndo), generated.hide(tsUndo), 'the undo plans differ');
      if (psUndo.ops.length > 0) await compare(psUndo, 'undo', tsUndo);
      // A time-boxed fix's revert task, if any is left, runs when due on both.
      runDueTasks(pwsh.model, LATER);
      runDueTasks(lab.model, LATER);
      assert.deepEqual(comparableSnapshot(pwsh.model), comparableSnapshot(c.model), 'fix + undo did not restore the host exactly');
    });
  }
});
