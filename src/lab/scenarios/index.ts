// Scenarios: the registry of built-ins, user scenario files, and buildHost, which applies
// scenarios in order on the healthy base.
import { defaultHealthyModel, type HealthyModelOptions } from '../model/default-model.ts';
import type { HostModel } from '../model/host-model.ts';
import { getScenario } from './registry.ts';
import type { Scenario } from './types.ts';

export { getScenario, SCENARIOS } from './registry.ts';
export { loadScenarioFile, parseScenario, ScenarioFile } from './scenario-file.ts';
export { CHECK_IDS, type CheckId, type Scenario, type ScenarioContext } from './types.ts';

export function buildHost(scenarios: Array<string | Scenario>, opts: HealthyModelOptions): HostModel {
  const now = opts.now ?? new Date();
  const model = defaultHealthyModel({ ...opts, now });
  for (const s of scenarios) (typeof s === 'string' ? getScenario(s) : s).apply(model, { now });
  return model;
}
