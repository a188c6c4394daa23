// The evidence export in chat: the "Export evidence" button a diagnosis root carries, and the card
// that brings the JSON file (rdp/evidence.ts) with a few plain lines about it: never the JSON itself
// in the message text (JSON belongs in the file, `--json` and the audit).
import type { Card } from '../chat/model.ts';
import type { Diagnosis } from '../rdp/types.ts';
import { evidenceActionId } from './action-ids.ts';
import { verdictStatus } from './status.ts';
import { mention, plural } from './text.ts';
import type { ChatUser } from '../chat/model.ts';

export const EXPORT_EVIDENCE_LABEL = 'Export evidence';

/**
 * A diagnosis root with an "Export evidence" button after its own buttons, when the host was read: a
 * host that could not be read has no facts to export, and its short answer says what was tried (the
 * export is still `evidence HOST`, typed, or `rdp-medic evidence HOST`).
 */
export function withEvidenceButton(card: Card, d: Pick<Diagnosis, 'host' | 'hostAccess'>): Card {
  if (d.hostAccess) return card;
  return { ...card, actions: [...card.actions, { id: evidenceActionId(d.host), label: EXPORT_EVIDENCE_LABEL, style: 'default' }] };
}

/** A file name for the export: host and time, letters, digits, dot and dash only. */
export function evidenceFileName(host: string, at: Date): string {
  return `evidence-${host.replace(/[^A-Za-z0-9.-]+/g, '-').slice(0, 60)}-${at.toISOString().replace(/[:.]/g, '-')}.json`;
}

export function evidenceFileCard(d: Diagnosis, json: string, at: Date, requester: ChatUser): Card {
  const problems = d.findings.filter((f) => f.verdict === 'problem').length;
  return {
    title: `Evidence of ${d.host}`,
    status: verdictStatus(d.verdict),
    sections: [
      { kind: 'text', text: d.headline },
      {
        kind: 'fields',
        fields: [
          { label: 'Findings', value: `${plural(d.findings.length, 'check')}, ${plural(problems, 'problem')}` },
          { label: 'Took', value: `${Math.round(d.timingsMs.total)} ms (probes ${Math.round(d.timingsMs.probes)} ms, WinRM ${Math.round(d.timingsMs.plan)} ms)` },
        ],
      },
      { kind: 'text', text: 'The JSON file holds the facts read from the host, the probe results, every finding with its evidence and Microsoft reference, the timings and the versions; secrets are scrubbed. A fresh diagnosis made for this export.' },
    ],
    actions: [],
    footer: `asked by ${mention(requester)}`,
    file: { name: evidenceFileName(d.host, at), mime: 'application/json', content: json },
  };
}
