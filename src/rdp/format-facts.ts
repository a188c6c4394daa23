// Facts for people: every value the read plan returned, readable (no JSON): a registry key as its
// values, one line each; a list as one line per item; a fact that could not be read says why.
// `rdp-medic facts --json` keeps the exact JSON.
import { isFactError, type HostFacts } from './read-plan.ts';

const INDENT = '    ';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A value on one line: strings bare (quoted when empty or padded), null as "-", a list joined by
 * commas, an object as name=value pairs (in parentheses, and lists of them in brackets, when nested).
 */
function scalar(v: unknown, nested = false): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v === '' || v.trim() !== v ? JSON.stringify(v) : v;
  if (Array.isArray(v)) {
    if (!v.length) return 'none';
    return v.some(isObj) ? `[${v.map((x) => scalar(x, true)).join('; ')}]` : v.map((x) => scalar(x, true)).join(', ');
  }
  if (isObj(v)) {
    const pairs = Object.entries(v).map(([k, x]) => `${k}=${scalar(x, true)}`).join(', ');
    return nested ? `(${pairs})` : pairs;
  }
  return String(v);
}

const isRegistryKey = (v: Obj): boolean => 'path' in v && 'values' in v && Array.isArray(v.values);
const isRegistryValue = (v: Obj): boolean => 'path' in v && 'name' in v && 'kind' in v && 'data' in v;
const isService = (v: Obj): boolean => 'state' in v && 'startType' in v;

/** The lines under a fact's name (the first may sit on the name's own line). */
function render(value: unknown): { head: string; body: string[] } {
  if (isFactError(value as never)) {
    const e = (value as { error: { code: string; message: string } }).error;
    return { head: `UNREAD  ${e.code}: ${e.message}`, body: [] };
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return { head: 'none', body: [] };
    if (value.every((x) => !isObj(x) && !Array.isArray(x))) return { head: scalar(value), body: [] };
    return { head: `${value.length} item(s)`, body: value.map((x) => `- ${scalar(x)}`) };
  }
  if (!isObj(value)) return { head: scalar(value), body: [] };
  if (isRegistryKey(value)) {
    if (value.exists === false) return { head: `key absent  ${String(value.path)}`, body: [] };
    const values = (value.values as Obj[]).map((v) => `${String(v.name)} = ${scalar(v.data)} (${String(v.kind)})`);
    const subkeys = Array.isArray(value.subkeys) && value.subkeys.length ? [`subkeys: ${scalar(value.subkeys)}`] : [];
    return { head: String(value.path), body: [...(values.length ? values : ['(no values)']), ...subkeys] };
  }
  if (isRegistryValue(value)) {
    const where = `${String(value.path)}\\${String(value.name)}`;
    return { head: value.exists === false ? `absent  ${where}` : `${scalar(value.data)} (${String(value.kind)})  ${where}`, body: [] };
  }
  if (isService(value)) {
    if (value.exists === false) return { head: 'not installed', body: [] };
    const { state, startType, name: _name, exists: _exists, ...rest } = value;
    return { head: `${String(state)}, start ${String(startType)}`, body: Object.entries(rest).map(([k, v]) => `${k}: ${scalar(v)}`) };
  }
  // Any other object: one line per field; a list field is one line per item.
  const body: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    if (Array.isArray(v) && v.some(isObj)) body.push(`${k}:`, ...v.map((x) => `  - ${scalar(x)}`));
    else if (isObj(v) && !isFactError(v as never)) body.push(`${k}: ${scalar(v)}`);
    else body.push(`${k}: ${render(v).head}`);
  }
  return { head: '', body };
}

function lines(name: string, value: unknown): string[] {
  const { head, body } = render(value);
  return [`  ${head ? `${name.padEnd(28)} ${head}` : name}`, ...body.map((l) => `${INDENT}${l}`)];
}

export function formatFacts(facts: HostFacts): string {
  const out = [`Facts of ${facts.host} (runtime ${facts.runtime})`];
  for (const [key, value] of Object.entries(facts)) {
    if (key === 'host' || key === 'runtime') continue;
    const nested = key === 'services' || key === 'schannel' || key === 'events';
    if (nested && isObj(value) && !isFactError(value as never)) for (const [k, v] of Object.entries(value)) out.push(...lines(`${key}.${k}`, v));
    else out.push(...lines(key, value));
  }
  return out.join('\n');
}
