// Scenarios: the built-ins (built-in.yaml), user scenario files in the same format, and buildHost,
// which applies scenarios in order on the healthy base.
import { readFileSync } from 'node:fs';
import { defaultHealthyModel, type HealthyModelOptions } from '../model/default-model.ts';
import type { HostModel } from '../model/host-model.ts';
import { getScenario } from './registry.ts';
import { parseScenarioText } from './scenario-file.ts';
import type { Scenario } from './types.ts';

export { getScenario, SCENARIOS } from './registry.ts';
export { ScenarioFile } from './scenario-file.ts';
export { CHECK_IDS, type CheckId, type Scenario, type ScenarioContext } from './types.ts';

/** Parses and validates a user's scenario text (bases are built-ins); `source` names it in error messages. */
export function parseScenario(text: string, source: string): Scenario {
  return parseScenarioText(text, source, getScenario);
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readFileSync(path, 'utf8'), path);
}

export function buildHost(scenarios: Array<string | Scenario>, opts: HealthyModelOptions): HostModel {
  const now = opts.now ?? new Date();
  const model = defaultHealthyModel({ ...opts, now });
  for (const s of scenarios) (typeof s === 'string' ? getScenario(s) : s).apply(model, { now });
  return model;
}
