// The result of a fix: applied or not, verified or not, the doctor's own message, what it looks like
// now, and the undo button (danger, confirmed) while there is something to put back.
import { FIX_INFO } from '../rdp/fixes/catalogue.ts';
import type { FixOutcome, UndoRecord } from '../rdp/types.ts';
import type { Card, CardAction, CardSection, CardStatus } from '../chat/model.ts';
import { undoActionId } from './action-ids.ts';
import { capLines, capText } from './text.ts';

const MAX_FAILED_STEPS = 5;

export function fixTitle(fixId: string): string {
  return (FIX_INFO as Record<string, { title: string } | undefined>)[fixId]?.title ?? fixId;
}

/** The doctor writes CLI hints ("rdp-medic undo work-pc u-… --yes"); in chat the same thing is the chat command. */
export function chatHints(message: string): string {
  return message.replace(/rdp-medic undo (\S+) (\S+) --yes/g, 'undo $1 $2');
}

function status(o: FixOutcome): CardStatus {
  if (o.applied && o.verified) return 'ok';
  if (o.applied) return 'warning';
  if (o.end === 'as-before') return 'refused';
  if (o.end === 'unreachable') return 'unknown';
  return o.steps.some((s) => s.ok) || o.end === 'half-applied' ? 'problem' : 'refused';
}

/** Where the host ended is the headline: a fix that ran steps and was put back is not "failed half-way". */
function headline(o: FixOutcome): string {
  if (o.applied && o.verified) return 'applied and verified';
  if (o.applied) return 'applied, not verified';
  if (o.end === 'as-before') return o.steps.some((s) => s.ok) ? 'not applied, put back as before' : 'not applied';
  if (o.end === 'half-applied') return 'still half-applied';
  if (o.end === 'unreachable') return 'host not answering, state not verified';
  return o.steps.some((s) => s.ok) ? 'failed half-way' : 'not applied';
}

export function undoAction(host: string, undoId: string, fixId: string): CardAction {
  const title = fixTitle(fixId);
  return {
    id: undoActionId(host, undoId),
    label: `Undo: ${title}`,
    style: 'danger',
    confirm: {
      title: `Undo on ${host}?`,
      text: `Puts back the values "${title}" changed on ${host}, as recorded before the fix; refused if the host changed since. RDP may break again in the way the fix cured.`,
      confirm: 'Undo',
      deny: 'Cancel',
    },
  };
}

/** An undo record with no writes (a bare service restart) has nothing to put back: no button. */
function undoable(o: FixOutcome, record: UndoRecord | undefined): string | null {
  if (record) return record.plan.ops.length || record.revertTask ? record.undoId : null;
  return o.undoId;
}

export function fixResult(outcome: FixOutcome, undoRecord?: UndoRecord): Card {
  const failed = outcome.steps.filter((s) => !s.ok);
  const sections: CardSection[] = [
    { kind: 'text', text: capText(chatHints(outcome.message), 1500) },
    {
      kind: 'fields',
      fields: [
        { label: 'Applied', value: outcome.applied ? 'yes' : 'no' },
        { label: 'Verified', value: outcome.verified ? 'yes, from outside' : 'no' },
        { label: 'Steps', value: outcome.steps.length ? `${outcome.steps.length - failed.length} of ${outcome.steps.length} ok` : 'none run' },
      ],
    },
  ];
  if (failed.length) {
    const lines = failed.map((s) => `${s.id} (${s.op}): ${s.error ? `${s.error.code}: ${s.error.message}` : 'failed'}`);
    sections.push({ kind: 'code', text: capText(capLines(lines, MAX_FAILED_STEPS).join('\n'), 1500) });
  }
  if (outcome.after) sections.push({ kind: 'text', text: `Now: ${outcome.after.headline}` });
  const undoId = undoable(outcome, undoRecord);
  return {
    title: `${outcome.host}: ${fixTitle(outcome.fix)}: ${headline(outcome)}`,
    status: status(outcome),
    sections,
    actions: undoId ? [undoAction(outcome.host, undoId, outcome.fix)] : [],
    footer: `fix ${outcome.fix}${undoId ? ` · undo ${undoId}` : ''}`,
  };
}
