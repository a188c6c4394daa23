// The "why" of a finding: the Microsoft article its check rests on (rdp/checks/references.ts), as
// one line with a plain URL every platform links (Slack and Discord turn it into a link; the console
// shows it to copy). Not on the one finding of a host that could not be read: that card says what was
// tried and what to do, and stays short (an unreachable host's whole answer within 1,500 characters);
// the evidence export still names its references.
import { findingReference } from '../rdp/checks/references.ts';
import type { CheckId } from '../rdp/types.ts';

export function referenceLine(check: CheckId): string {
  const r = findingReference(check);
  return `Why / Microsoft reference: ${r.title}: ${r.url}`;
}
