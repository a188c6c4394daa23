// The root message of a check, updated in place with the verdict: the cause in one sentence and how
// it was seen. Details (one card per finding, with the fix buttons) go to the thread.
import type { Diagnosis, Verdict } from '../rdp/types.ts';
import type { Card, ChatUser } from '../chat/model.ts';
import { probeFields } from './probe-fields.ts';
import { VERDICT_ORDER, verdictStatus } from './status.ts';
import { mention } from './text.ts';

const TITLE: Record<Verdict, string> = {
  problem: 'RDP problem found',
  warning: 'RDP works, with a warning',
  unknown: 'could not check everything',
  ok: 'looks healthy',
};

const COUNT_WORD: Record<Verdict, string> = { problem: 'problem', warning: 'warning', unknown: 'unknown', ok: 'ok' };

/** "2 problem, 2 unknown, 26 ok": verdict words as labels, worst first. */
export function findingCounts(d: Diagnosis): string {
  return VERDICT_ORDER.map((v) => [v, d.findings.filter((f) => f.verdict === v).length] as const)
    .filter(([, n]) => n > 0)
    .map(([v, n]) => `${n} ${COUNT_WORD[v]}`)
    .join(', ');
}

export function diagnosisRoot(diagnosis: Diagnosis, requester: ChatUser): Card {
  const actionable = diagnosis.findings.some((f) => f.verdict === 'problem' || f.verdict === 'warning');
  return {
    title: `${diagnosis.host}: ${TITLE[diagnosis.verdict]}`,
    status: verdictStatus(diagnosis.verdict),
    sections: [
      { kind: 'text', text: diagnosis.headline },
      { kind: 'fields', fields: [...probeFields(diagnosis), { label: 'Checks', value: findingCounts(diagnosis) || 'none ran' }] },
      ...(actionable ? [{ kind: 'text' as const, text: 'Details and proposed fixes are in the thread.' }] : []),
    ],
    actions: [],
    footer: `Asked by ${mention(requester)}`,
  };
}
