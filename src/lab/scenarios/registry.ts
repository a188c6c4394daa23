// The built-in scenarios by name: the documents of built-in.yaml, in the scenario file format,
// each checked when the module loads (so a broken built-in fails every run, not one test).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { scenarioFromFile, validateScenarioFile } from './scenario-file.ts';
import type { Scenario } from './types.ts';

/** A scenario of `scenarios` by name; "a+b" composes ones that are not registered as a pair. */
function lookUp(scenarios: ReadonlyMap<string, Scenario>, name: string): Scenario {
  const s = scenarios.get(name);
  if (s) return s;
  if (name.includes('+')) {
    const parts = name.split('+').map((p) => lookUp(scenarios, p));
    return {
      name, description: parts.map((p) => p.description).join(' '), cause: parts.flatMap((p) => p.cause),
      fix: parts.map((p) => p.fix).join('; then '), apply: (m, ctx) => parts.forEach((p) => p.apply(m, ctx)),
    };
  }
  throw new Error(`unknown scenario '${name}' (known: ${[...scenarios.keys()].join(', ')})`);
}

/**
 * The built-ins of a multi-document YAML text, in order; a document's base may name the documents
 * above it. `file` and the scenario's name (or its document number) head every error.
 */
export function loadBuiltIns(text: string, file: string): ReadonlyMap<string, Scenario> {
  const scenarios = new Map<string, Scenario>();
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) throw new Error(`${file}: no scenario documents`);
  docs.forEach((doc, i) => {
    const raw: unknown = doc.errors.length === 0 ? doc.toJS() : undefined;
    const named = raw && typeof raw === 'object' && 'name' in raw && typeof raw.name === 'string' ? `'${raw.name}'` : `#${i + 1}`;
    const source = `${file}: scenario ${named}`;
    const error = doc.errors[0];
    if (error) throw new Error(`${source}: not valid YAML: ${error.message}`);
    const f = validateScenarioFile(raw, source);
    if (!f.description || !f.fix) throw new Error(`${source}: a built-in needs a description and a fix`);
    if (scenarios.has(f.name)) throw new Error(`${source}: the name is used twice`);
    scenarios.set(f.name, scenarioFromFile(f, source, (name) => lookUp(scenarios, name)));
  });
  return scenarios;
}

const BUILT_IN_FILE = fileURLToPath(new URL('./built-in.yaml', import.meta.url));

export const SCENARIOS: ReadonlyMap<string, Scenario> = loadBuiltIns(readFileSync(BUILT_IN_FILE, 'utf8'), BUILT_IN_FILE);

/** A built-in scenario; "a+b" composes built-ins that are not registered as a pair. */
export function getScenario(name: string): Scenario {
  return lookUp(SCENARIOS, name);
}
