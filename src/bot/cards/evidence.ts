// A finding's evidence as a compact code block: one top-level key a line, nested values as compact
// JSON, capped so a big event list cannot crowd out the explanation.
import { capText } from './text.ts';

export const EVIDENCE_MAX_CHARS = 1500;

// Checks promise never to put secrets in evidence; this is the belt to that braces.
const SECRET_KEY = /pass(word|phrase)?$|secret|token|authorization|api[-_]?key|credential/i;

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redact(v)]));
  }
  return value;
}

function line(key: string, value: unknown): string {
  const shown = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return `${key}: ${shown}`;
}

export function evidenceText(evidence: Record<string, unknown>, max = EVIDENCE_MAX_CHARS): string {
  const clean = redact(evidence) as Record<string, unknown>;
  const text = Object.entries(clean).map(([k, v]) => line(k, v)).join('\n');
  return capText(text, max);
}
