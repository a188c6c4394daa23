// Every fix whose plan has more than one write step, with lab scenarios that make it apply: the
// step-journal tests stop a fix at every step boundary of each (test/rdp/journal.test.ts in
// process, test/integration/bot/journal.test.ts with a real worker process and SIGKILL).
import type { HostModel } from '../../src/lab/model/host-model.ts';
import { executePlan } from '../../src/lab/model/execute-plan.ts';
import { buildHost, SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { buildFix, FIX_IDS, isNotApplicable, type KnownFixId } from '../../src/rdp/fixes/index.ts';
import { buildReadPlan, readPlanFacts } from '../../src/rdp/read-plan.ts';
import type { CheckTarget } from '../../src/rdp/types.ts';

export interface MultiStepFix {
  fix: KnownFixId;
  scenarios: string[];
  /** What no built-in scenario sets up, applied after the scenarios. */
  prepare?: (m: HostModel) => void;
}

export const MULTI_STEP_FIXES: MultiStepFix[] = [
  { fix: 'regenerate-rdp-certificate', scenarios: ['cert-expired'] },
  // TermService runs but listens nowhere (no process id to own the port): the restart brings it back.
  { fix: 'restart-termservice', scenarios: ['healthy'], prepare: (m) => void (m.services['termservice']!.processId = null) },
  { fix: 'enable-tls12', scenarios: ['tls-disabled'] },
  { fix: 'enable-rdp-listener', scenarios: ['listener-down'] },
  { fix: 'reset-rdp-port', scenarios: ['port-changed'] },
  { fix: 'start-termservice', scenarios: ['termservice-stopped'] },
  { fix: 'disable-nla-temporarily', scenarios: ['healthy'] },
  { fix: 'start-rdp-dependency', scenarios: ['svc-dependency-stopped'] },
  { fix: 'enable-rdp', scenarios: ['rdp-disabled', 'firewall-blocked'] },
];

const TARGET: CheckTarget = { id: 'probe', address: 'probe', rdpHost: 'probe', rdpPort: 3389, winrmUrl: 'http://probe:5985/wsman', rdpUsers: ['rdpuser'] };

/** The plan's step ids for a case, on a fresh model. */
export function stepIdsOf(c: MultiStepFix, now = new Date()): string[] {
  const m = buildHost(c.scenarios, { computerName: 'probe', password: 'p', now });
  c.prepare?.(m);
  const plan = buildFix(c.fix, { facts: readPlanFacts(executePlan(m, buildReadPlan())), target: TARGET, now });
  if (isNotApplicable(plan)) throw new Error(`${c.fix} does not apply to ${c.scenarios.join('+')}: ${plan.notApplicable}`);
  return plan.apply.ops.map((o) => o.id);
}

/** Fix ids with more than one step on some built-in scenario. */
export function multiStepOnBuiltIns(now = new Date()): Set<string> {
  const out = new Set<string>();
  for (const s of SCENARIOS.values()) {
    const m = buildHost([s], { computerName: 'probe', password: 'p', now });
    const facts = readPlanFacts(executePlan(m, buildReadPlan()));
    for (const id of FIX_IDS) {
      const plan = buildFix(id, { facts, target: TARGET, now });
      if (!isNotApplicable(plan) && plan.apply.ops.length > 1) out.add(id);
    }
  }
  return out;
}
