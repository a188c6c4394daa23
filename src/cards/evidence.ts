// A finding's evidence as a compact code block: one top-level key a line, nested values as compact
// JSON, capped so a big event list cannot crowd out the explanation.
import { scrubValue } from '../lib/scrub.ts';
import { capText } from './text.ts';

// Checks promise never to put secrets in evidence; the one scrubber is the belt to that braces.
const redact = (value: unknown): unknown => scrubValue(value);

export const EVIDENCE_MAX_CHARS = 1500;


function line(key: string, value: unknown): string {
  const shown = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return `${key}: ${shown}`;
}

export function evidenceText(evidence: Record<string, unknown>, max = EVIDENCE_MAX_CHARS): string {
  const clean = redact(evidence) as Record<string, unknown>;
  const text = Object.entries(clean).map(([k, v]) => line(k, v)).join('\n');
  return capText(text, max);
}
