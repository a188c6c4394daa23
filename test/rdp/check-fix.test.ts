// checkFix: the write plan run in check mode on the host (here the lab model): what would change,
// per op, from the host's own answer; a precondition that no longer holds; nothing changed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Plan } from '../../src/host/operations.ts';
import { buildReadPlan, readPlanFacts } from '../../src/rdp/read-plan.ts';
import { executePlan } from '../../src/lab/model/index.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { checkPreviewText } from '../../src/rdp/fixes/check-preview.ts';
import { checkFix } from '../../src/rdp/repair.ts';
import type { CheckTarget } from '../../src/rdp/types.ts';

const NOW = new Date();
const TARGET: CheckTarget = { id: 'lab1', address: '127.0.0.1', rdpHost: '127.0.0.1', rdpPort: 3389, winrmUrl: 'http://127.0.0.1:5985/wsman', rdpUsers: [] };

function lab(scenario: string) {
  const model = buildHost([scenario], { computerName: 'lab-host1', password: 'pw', now: NOW });
  return {
    model,
    readFacts: () => Promise.resolve(readPlanFacts(executePlan(model, buildReadPlan(), NOW))),
    runPlan: (plan: Plan) => Promise.resolve(executePlan(model, plan, NOW)),
  };
}

describe('checkFix', () => {
  test('regenerate-rdp-certificate on cert-expired: every step would apply; nothing changes', async () => {
    const l = lab('cert-expired');
    const before = structuredClone(l.model);
    const r = await checkFix({ target: TARGET, readFacts: l.readFacts, runPlan: l.runPlan, fixId: 'regenerate-rdp-certificate' });
    assert.ok(!('notApplicable' in r));
    assert.deepEqual(l.model, before);
    assert.equal(r.result.check, true);
    assert.equal(r.preview.clean, true);
    assert.deepEqual(r.preview.steps.map((s) => `${s.id}: ${s.change}`), [
      `move-cert-1: CN=LAB-HOST1 in Remote Desktop, valid to ${l.model.certStores['remote desktop']?.certs[0]?.notAfter.slice(0, 10)} → CN=LAB-HOST1 in RdpMedicBackup, valid to ${l.model.certStores['remote desktop']?.certs[0]?.notAfter.slice(0, 10)}`,
      'stop-SessionEnv: Running → Stopped',
      'start-SessionEnv: (as the earlier step leaves it) → Running',
    ]);
    assert.match(checkPreviewText(r.plan, r.preview), /nothing was changed[\s\S]*It would apply cleanly\. Re-run with --yes to apply\.$/);
  });

  test('the host changed after the plan was built: the precondition fails on the host, nothing changes', async () => {
    const l = lab('firewall-blocked');
    const runPlan = (plan: Plan) => {
      // Someone enables the TCP rule between the plan and its check.
      const rule = l.model.firewall.rules.find((x) => x.name === 'RemoteDesktop-UserMode-In-TCP');
      if (rule) rule.enabled = true;
      return l.runPlan(plan);
    };
    const r = await checkFix({ target: TARGET, readFacts: l.readFacts, runPlan, fixId: 'enable-rdp-firewall-rules' });
    assert.ok(!('notApplicable' in r));
    assert.equal(r.preview.clean, false);
    assert.equal(r.preview.preconditionFailed, true);
    assert.equal(r.preview.steps[0]?.error?.code, 'PreconditionFailed');
    assert.equal(l.model.firewall.rules.find((x) => x.name === 'RemoteDesktop-UserMode-In-UDP')?.enabled, false, 'nothing was enabled');
    assert.match(checkPreviewText(r.plan, r.preview), /It would not apply: LAB-HOST1 changed since the plan was built/);
  });

  test('a host whose runtime ignores check mode is refused, not trusted', async () => {
    const l = lab('firewall-blocked');
    const runPlan = (plan: Plan) => Promise.resolve({ ...executePlan(l.model, { ...plan, check: true }, NOW), check: false });
    await assert.rejects(checkFix({ target: TARGET, readFacts: l.readFacts, runPlan, fixId: 'enable-rdp-firewall-rules' }), /did not run the plan in check mode/);
  });
});
