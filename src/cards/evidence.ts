// A finding's evidence as readable lines: "in use thumbprint: C71A…", a list of certificates as one
// bullet each, nested details as "name value" pairs. Never JSON (that is for --json, the audit and
// the evidence export): a person reads this on a phone. Empty values are left out, lists and
// nesting are cut with a count of what was left out, and the whole is capped.
import { scrubValue } from '../lib/scrub.ts';
import { capLines, capText } from './text.ts';

export const EVIDENCE_MAX_CHARS = 1500;
/** Items of one list shown before "… and N more". */
const MAX_ITEMS = 5;

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: Json): boolean =>
  v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);

/** "inUseThumbprint" -> "in use thumbprint"; "tcpRdp" -> "tcp rdp"; acronyms stay ("TLS version"). */
export function humanKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .split(' ')
    .map((w) => (/^[A-Z][a-z]/.test(w) ? w.toLowerCase() : w))
    .join(' ');
}

function scalar(v: Json): string {
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint') return String(v);
  return '';
}

/** One value on one line: scalars as they are, nested values as "key value" pairs, deeper nesting as a count. */
function inline(v: Json, depth: number): string {
  if (!isObject(v) && !Array.isArray(v)) return scalar(v);
  if (Array.isArray(v)) {
    const items = v.filter((x) => !isEmpty(x));
    // Plain values read as a list at any depth ("3389", "Any"); only nested structure is counted.
    if (items.some((x) => isObject(x) || Array.isArray(x))) {
      if (depth >= 2) return `${items.length} ${items.length === 1 ? 'entry' : 'entries'}`;
      return capLines(items.map((x) => `(${inline(x, depth + 1)})`), MAX_ITEMS).join(', ');
    }
    return capLines(items.map(scalar), MAX_ITEMS).join(', ');
  }
  if (depth >= 2) return `${Object.keys(v).length} details`;
  return Object.entries(v)
    .filter(([, x]) => !isEmpty(x))
    .map(([k, x]) => `${humanKey(k)} ${inline(x, depth + 1)}`)
    .join(', ');
}

function entryLines(key: string, value: Json): string[] {
  if (isEmpty(value)) return [];
  const label = humanKey(key);
  if (Array.isArray(value) && value.some(isObject)) {
    const items = value.filter((x) => !isEmpty(x));
    return [`${label}:`, ...capLines(items.map((x) => `  • ${inline(x, 1)}`), MAX_ITEMS)];
  }
  return [`${label}: ${inline(value, 0)}`];
}

export function evidenceText(evidence: Record<string, unknown>, max = EVIDENCE_MAX_CHARS): string {
  // Checks promise never to put secrets in evidence; the one scrubber is the belt to that braces.
  const clean = scrubValue(evidence) as Record<string, unknown>;
  const text = Object.entries(clean).flatMap(([k, v]) => entryLines(k, v)).join('\n');
  return capText(text, max);
}
