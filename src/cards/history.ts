// A host's recent audit entries in chat (history HOST): newest first, one line each.
import type { Card } from '../chat/model.ts';
import { capLines, plural } from './text.ts';
import { formatTime } from './time.ts';

export interface HistoryEntry {
  /** ISO time. */
  at: string;
  /** "command", "decision", "plan", "result", "verification", … */
  kind: string;
  /** Who did it ("@alice"), when a person did. */
  actor?: string;
  /** One plain-words line, e.g. "check: RDP problem found (certificate expired)". */
  text: string;
}

export const MAX_HISTORY_LINES = 20;

export function historyCard(entries: readonly HistoryEntry[], host?: string): Card {
  const sorted = [...entries].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  const lines = sorted.map((e) => `${formatTime(e.at)} · ${e.kind}${e.actor ? ` · ${e.actor}` : ''} · ${e.text}`);
  return {
    title: `${host ? `History of ${host}` : 'History'}: ${plural(sorted.length, 'entry', 'entries')}`,
    status: 'info',
    sections: [{ kind: lines.length ? 'code' : 'text', text: lines.length ? capLines(lines, MAX_HISTORY_LINES).join('\n') : 'Nothing recorded yet.' }],
    actions: [],
  };
}
