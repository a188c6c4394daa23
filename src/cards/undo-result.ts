// The result of an undo: restored or refused (and why), verified or not, and how the host looks now.
import type { UndoOutcome } from '../rdp/repair.ts';
import type { Card, CardSection, CardStatus } from '../chat/model.ts';
import { capText } from './text.ts';

function status(o: UndoOutcome): CardStatus {
  if (o.restored) return o.verified ? 'done' : 'warning';
  return o.steps.some((s) => s.ok) ? 'problem' : 'refused';
}

function headline(o: UndoOutcome): string {
  if (o.restored) return o.verified ? 'undone and verified' : 'undone, not verified';
  return o.steps.some((s) => s.ok) ? 'stopped half-way' : 'not undone';
}

export function undoResult(outcome: UndoOutcome): Card {
  const sections: CardSection[] = [{ kind: 'text', text: capText(outcome.message, 1500) }];
  if (outcome.steps.length) {
    const ok = outcome.steps.filter((s) => s.ok).length;
    sections.push({ kind: 'fields', fields: [{ label: 'Steps', value: `${ok} of ${outcome.steps.length} ok` }] });
  }
  if (outcome.after) sections.push({ kind: 'text', text: `Now: ${outcome.after.headline}` });
  return {
    title: `${outcome.host}: undo ${outcome.undoId}: ${headline(outcome)}`,
    status: status(outcome),
    sections,
    actions: [],
    footer: `undo ${outcome.undoId}`,
  };
}
