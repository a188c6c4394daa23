// The WQL WHERE subset plans use: Prop='value' / Prop=3 / Prop<>'x', joined with AND.
// String comparison is case-insensitive, as in WMI.
export type Scalar = string | number | boolean | null;
interface Condition {
  prop: string;
  negate: boolean;
  value: Scalar;
}

const COND = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=|<>|!=)\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?|TRUE|FALSE|NULL)\s*$/i;

/** The conditions of a filter, or an error message. */
export function parseWql(filter: string): Condition[] | string {
  const parts = filter.split(/\s+AND\s+/i);
  const out: Condition[] = [];
  for (const part of parts) {
    const m = COND.exec(part);
    if (!m) return `Invalid query: unsupported WQL condition '${part.trim()}'`;
    const [, prop = '', op = '', raw = ''] = m;
    let value: Scalar;
    if (/^['"]/.test(raw)) value = raw.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (/^true$/i.test(raw)) value = true;
    else if (/^false$/i.test(raw)) value = false;
    else if (/^null$/i.test(raw)) value = null;
    else value = Number(raw);
    out.push({ prop, negate: op !== '=', value });
  }
  return out;
}

export function getProp(instance: Record<string, unknown>, prop: string): unknown {
  const key = Object.keys(instance).find((k) => k.toLowerCase() === prop.toLowerCase());
  return key === undefined ? undefined : instance[key];
}

/** Loose WMI equality: strings case-insensitively, numbers against numeric strings, booleans as 0/1. */
export function cimEquals(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) === Number(b) || String(a).toLowerCase() === String(b).toLowerCase();
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return String(a).toLowerCase() === String(b).toLowerCase();
}

export function matchesWql(instance: Record<string, unknown>, conditions: Condition[]): boolean {
  return conditions.every((c) => cimEquals(getProp(instance, c.prop), c.value) !== c.negate);
}
