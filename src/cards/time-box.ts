// How long a security-weakening fix stays in place before the host reverts it by itself. The plan
// carries the exact figure; a proposal (a button on a finding) does not, so it is looked up here.
import { NLA_TIME_BOX_MINUTES } from '../rdp/fixes/disable-nla-temporarily.ts';

const TIME_BOXES: Readonly<Record<string, number>> = { 'disable-nla-temporarily': NLA_TIME_BOX_MINUTES };

export function timeBoxMinutes(fixId: string): number | null {
  return TIME_BOXES[fixId] ?? null;
}
