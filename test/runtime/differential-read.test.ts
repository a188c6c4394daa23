// Every lab scenario's read plan, run by the real engine under pwsh and by the lab's TypeScript
// operations over copies of the same host model: the results agree op by op, and reading changes nothing.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildReadPlan } from '../../src/rdp/read-plan.ts';
import { buildHost, SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { comparable, recordPlan, runModel, runPwsh } from './harness.ts';

const NOW = new Date('2026-12-07T02:00:00Z');
// A short CIM timeout so the hung-provider scenario costs seconds, not minutes.
const plan = buildReadPlan({ limits: { cimTimeoutSec: 2 } });

describe('read plan: pwsh engine == lab model, for every scenario', { concurrency: 2 }, () => {
  for (const scenario of SCENARIOS.keys()) {
    test(scenario, async () => {
      // One build (certificates are random), two copies.
      const built = buildHost(scenario.split('+'), { computerName: 'WORK-PC', password: 'Lab-Passw0rd!', now: NOW });
      const viaPwsh = structuredClone(built);
      const viaModel = structuredClone(built);
      const before = JSON.stringify(viaPwsh);
      const ps = await runPwsh(viaPwsh, plan, { now: NOW });
      const ts = runModel(viaModel, plan, NOW);
      assert.deepEqual(comparable(ps), comparable(ts));
      assert.equal(ps.runtime, ts.runtime);
      assert.equal(ps.host, ts.host);
      assert.equal(JSON.stringify(viaPwsh), before, 'a read plan changed the model');
      recordPlan(plan, scenario);
    });
  }
});
