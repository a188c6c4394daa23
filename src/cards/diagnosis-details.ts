// The threaded details of a check: one card per cause (problems first, then warnings) with why it
// matters, what else shows it, the evidence as readable lines and the fix button; then the checks
// that could not tell, in one card. The headline is the root's: a cause card does not repeat it.
// Passes get no message: the root counts them.
import type { Diagnosis, Finding } from '../rdp/types.ts';
import type { Card, CardSection } from '../chat/model.ts';
import { couldNotRun, isSupporting } from './diagnosis-root.ts';
import { evidenceText } from './evidence.ts';
import { proposeFixAction } from './fix-button.ts';
import { RISK_LABEL } from './risk.ts';
import { referenceLine } from './reference.ts';
import { verdictStatus } from './status.ts';
import { capLines, capText } from './text.ts';

export const POLICY_NOTE = 'Managed by Group Policy: the deciding value comes from a GPO, so a local change is undone at the next policy refresh. Change the GPO.';

/** Unknown findings listed one a line in their card, beyond which "… and M more". */
export const MAX_UNKNOWN_LINES = 10;
const TEXT_MAX = 1200;

const isCause = (f: Finding): boolean => f.verdict === 'problem' || f.verdict === 'warning';

/** "Also seen: RDP handshake from the bot: the TLS handshake completes; clients reject …". */
function supportLine(f: Finding, headline: string): string {
  const what = f.proof ?? (f.summary === headline ? 'fails the same way' : f.summary);
  return `Also seen: ${f.title}: ${what}`;
}

function findingCard(d: Diagnosis, f: Finding, supporting: Finding[]): Card {
  const sections: CardSection[] = [];
  // The root already says the headline (and its proof); everyone else leads with their own summary.
  if (f.summary !== d.headline) sections.push({ kind: 'text', text: capText(f.proof ? `${f.summary} (${f.proof})` : f.summary, TEXT_MAX) });
  if (f.explanation) sections.push({ kind: 'text', text: capText(f.explanation, TEXT_MAX) });
  if (supporting.length) sections.push({ kind: 'text', text: supporting.map((s) => supportLine(s, d.headline)).join('\n') });
  if (f.managedByPolicy) sections.push({ kind: 'text', text: POLICY_NOTE });
  if (!d.hostAccess) sections.push({ kind: 'text', text: referenceLine(f.check) });
  const evidence = evidenceText(f.evidence);
  if (evidence) sections.push({ kind: 'code', text: evidence });
  if (f.fix) sections.push({ kind: 'text', text: capText(`Proposed fix (${RISK_LABEL[f.fix.risk]}): ${f.fix.title}. ${f.fix.impact}`, TEXT_MAX) });
  return {
    // Check titles name the healthy condition ("Remote Desktop is enabled"); the status says it failed.
    title: `${d.host} · ${f.title}`,
    status: verdictStatus(f.verdict),
    sections,
    actions: f.fix ? [proposeFixAction(d.host, f.fix)] : [],
    footer: `check ${f.check} · severity ${f.severity}`,
  };
}

/** Checks that could not tell for a reason of their own; those that could not run at all are one count in the root. */
function unknownCard(host: string, unknown: Finding[]): Card | null {
  if (!unknown.length) return null;
  const lines = capLines(unknown.map((f) => `• ${f.title}: ${f.summary}`), MAX_UNKNOWN_LINES);
  return {
    title: `${host}: ${unknown.length === 1 ? '1 check' : `${unknown.length} checks`} could not tell`,
    status: 'unknown',
    sections: [{ kind: 'text', text: capText(lines.join('\n'), TEXT_MAX * 2) }],
    actions: [],
    footer: 'Unknown means the evidence was missing; rdp-medic does not guess.',
  };
}

/** Cards in thread order: causes as the diagnosis ordered them (most likely root cause first). */
export function diagnosisDetails(diagnosis: Diagnosis): Card[] {
  const causes = diagnosis.findings.filter(isCause);
  const shown = causes.filter((f) => !isSupporting(f, diagnosis));
  const cards = shown.map((f) => findingCard(diagnosis, f, causes.filter((s) => s.supports === f.check && s !== f)));
  const unknown = unknownCard(diagnosis.host, diagnosis.findings.filter((f) => f.verdict === 'unknown' && !couldNotRun(f)));
  return unknown ? [...cards, unknown] : cards;
}
