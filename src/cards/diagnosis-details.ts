// The threaded details of a check: one card per problem or warning (cause, why it matters, the
// evidence, the fix button), the checks that could not tell in one card, the rest as a count.
import type { Diagnosis, Finding } from '../rdp/types.ts';
import type { Card, CardSection } from '../chat/model.ts';
import { evidenceText } from './evidence.ts';
import { proposeFixAction } from './fix-button.ts';
import { RISK_LABEL } from './risk.ts';
import { verdictStatus } from './status.ts';
import { capLines, capText, plural } from './text.ts';

export const POLICY_NOTE = 'Managed by Group Policy: the deciding value comes from a GPO, so a local change is undone at the next policy refresh. Change the GPO.';

/** Unknown findings listed one a line in their card, beyond which "… and M more". */
export const MAX_UNKNOWN_LINES = 10;
const TEXT_MAX = 1200;

function findingCard(host: string, f: Finding): Card {
  const sections: CardSection[] = [{ kind: 'text', text: capText(f.summary, TEXT_MAX) }];
  if (f.explanation) sections.push({ kind: 'text', text: capText(f.explanation, TEXT_MAX) });
  if (f.managedByPolicy) sections.push({ kind: 'text', text: POLICY_NOTE });
  if (Object.keys(f.evidence).length) sections.push({ kind: 'code', text: evidenceText(f.evidence) });
  if (f.fix) sections.push({ kind: 'text', text: capText(`Proposed fix (${RISK_LABEL[f.fix.risk]}): ${f.fix.title}. ${f.fix.impact}`, TEXT_MAX) });
  return {
    // Check titles name the healthy condition ("Remote Desktop is enabled"); the status says it failed.
    title: `${host} · ${f.title}`,
    status: verdictStatus(f.verdict),
    sections,
    actions: f.fix ? [proposeFixAction(host, f.fix)] : [],
    footer: `check ${f.check} · severity ${f.severity}`,
  };
}

function restCard(host: string, unknown: Finding[], ok: number): Card | null {
  const okLine = `${plural(ok, 'other check')} ok.`;
  if (unknown.length === 0) {
    return ok ? { title: `${host}: ${plural(ok, 'other check')} ok`, status: 'ok', sections: [{ kind: 'text', text: okLine }], actions: [] } : null;
  }
  const lines = capLines(unknown.map((f) => `• ${f.title}: ${f.summary}`), MAX_UNKNOWN_LINES);
  return {
    title: `${host}: ${plural(unknown.length, 'check')} could not tell`,
    status: 'unknown',
    sections: [{ kind: 'text', text: lines.join('\n') }, ...(ok ? [{ kind: 'text' as const, text: okLine }] : [])],
    actions: [],
    footer: 'Unknown means the evidence was missing; rdp-medic does not guess.',
  };
}

/** Cards in thread order: findings as the diagnosis ordered them (most likely root cause first). */
export function diagnosisDetails(diagnosis: Diagnosis): Card[] {
  const cards = diagnosis.findings
    .filter((f) => f.verdict === 'problem' || f.verdict === 'warning')
    .map((f) => findingCard(diagnosis.host, f));
  const rest = restCard(
    diagnosis.host,
    diagnosis.findings.filter((f) => f.verdict === 'unknown'),
    diagnosis.findings.filter((f) => f.verdict === 'ok').length,
  );
  return rest ? [...cards, rest] : cards;
}
