// The root message of a check, updated in place with the verdict: the cause once, the fact that
// proves it, what a client sees, and one line of counts. The thread holds one card per cause with
// its evidence and fix; passes never get a message of their own.
import type { Diagnosis, Finding, Verdict } from '../rdp/types.ts';
import type { Card, CardSection, ChatUser } from '../chat/model.ts';
import { probeFields } from './probe-fields.ts';
import { verdictStatus } from './status.ts';
import { mentionTag, plural } from './text.ts';
import { formatMs } from './time.ts';

const TITLE: Record<Verdict, string> = {
  problem: 'RDP problem found',
  warning: 'RDP works, with a warning',
  unknown: 'could not check everything',
  ok: 'looks healthy',
};

/**
 * Unknown findings that could not run at all: the host could not be read (need() marks their
 * evidence), or another finding's cause stopped them (the latency sample of a closed port).
 */
export function couldNotRun(f: Finding): boolean {
  return f.verdict === 'unknown' && ('hostAccess' in f.evidence || f.supports !== undefined);
}

/** Findings that are another cause seen from elsewhere: shown inside that cause, counted once. */
export function isSupporting(f: Finding, d: Diagnosis): boolean {
  return f.supports !== undefined && f.verdict !== 'unknown' && d.findings.some((c) => c.check === f.supports && (c.verdict === 'problem' || c.verdict === 'warning'));
}

/** "1 problem, 1 warning, 27 could not run without the host read, 3 passed": causes, worst first. */
export function findingCounts(d: Diagnosis): string {
  const count = (p: (f: Finding) => boolean): number => d.findings.filter(p).length;
  const parts: string[] = [];
  const problems = count((f) => f.verdict === 'problem' && !isSupporting(f, d));
  const warnings = count((f) => f.verdict === 'warning' && !isSupporting(f, d));
  const unsure = count((f) => f.verdict === 'unknown' && !couldNotRun(f));
  const notRun = count(couldNotRun);
  const passed = count((f) => f.verdict === 'ok');
  if (problems) parts.push(plural(problems, 'problem'));
  if (warnings) parts.push(plural(warnings, 'warning'));
  if (unsure) parts.push(`${unsure} could not tell`);
  if (notRun) parts.push(`${notRun} could not run${d.hostAccess ? ' without the host read' : ''}`);
  if (passed) parts.push(`${passed} passed`);
  return parts.join(', ');
}

/** The finding the headline names: the first problem, else the first warning. */
export function leadFinding(d: Diagnosis): Finding | undefined {
  return d.findings.find((f) => f.verdict === 'problem') ?? d.findings.find((f) => f.verdict === 'warning');
}

const sentence = (s: string): string => `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? '' : '.'}`;

/** What a phone shows for the message (Slack's notification text): the host and the cause. */
export function diagnosisNotification(d: Diagnosis): string {
  return `${d.host}: ${d.headline}`;
}

/** "work-pc: RDP problem found"; `change` ("fixed") goes between the host and the verdict. */
export function diagnosisTitle(d: Diagnosis, change?: string): string {
  return `${d.host}: ${change ? `${change} · ` : ''}${TITLE[d.verdict]}`;
}

export function diagnosisRoot(diagnosis: Diagnosis, requester: ChatUser): Card {
  const lead = leadFinding(diagnosis);
  const sections: CardSection[] = [{ kind: 'text', text: diagnosis.headline }];
  if (lead?.proof && !diagnosis.hostAccess) sections.push({ kind: 'text', text: sentence(lead.proof) });
  sections.push({ kind: 'fields', fields: [...probeFields(diagnosis), { label: 'Checks', value: findingCounts(diagnosis) || 'none ran' }] });
  if (lead) sections.push({ kind: 'text', text: lead.fix || diagnosis.findings.some((f) => f.fix) ? 'The evidence and the proposed fix are in the thread.' : 'The evidence is in the thread.' });
  return {
    title: diagnosisTitle(diagnosis),
    status: verdictStatus(diagnosis.verdict),
    sections,
    actions: [],
    footer: `Asked by ${mentionTag(requester)} · checked in ${formatMs(diagnosis.timingsMs.total)}`,
    notification: diagnosisNotification(diagnosis),
  };
}
