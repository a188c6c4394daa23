// The root message of a check once a fix on its host was verified or undone: the channel learns
// the outcome where it first read the problem. The verdict is the re-check from outside after the
// change, led by one line saying what changed, when and by whom.
import type { Diagnosis } from '../rdp/types.ts';
import type { Card, ChatUser } from '../chat/model.ts';
import { diagnosisRoot, diagnosisTitle } from './diagnosis-root.ts';
import { lowerFirst, mentionTag } from './text.ts';
import { formatTime } from './time.ts';

export interface RootChange {
  kind: 'fixed' | 'undone';
  /** The fix's title ("Replace the RDP certificate with a new self-signed one"). */
  title: string;
  requestedBy: ChatUser;
  approvedBy?: ChatUser;
  /** ISO time the change finished. */
  at: string;
}

function changeLine(c: RootChange): string {
  const who = c.approvedBy ? `asked by ${mentionTag(c.requestedBy)}, approved by ${mentionTag(c.approvedBy)}` : `asked by ${mentionTag(c.requestedBy)}`;
  return c.kind === 'fixed'
    ? `Fixed at ${formatTime(c.at)} (${who}): ${lowerFirst(c.title)}; verified from outside.`
    : `Fix undone at ${formatTime(c.at)} (${who}): "${c.title}" put back as it was; verified from outside.`;
}

export function rootAfterChange(after: Diagnosis, requester: ChatUser, change: RootChange): Card {
  const root = diagnosisRoot(after, requester);
  return {
    ...root,
    title: diagnosisTitle(after, change.kind === 'fixed' ? 'fixed' : 'fix undone'),
    sections: [{ kind: 'text', text: changeLine(change) }, ...root.sections],
    notification: `${after.host}: ${change.kind === 'fixed' ? 'fixed and verified' : 'fix undone'}. ${after.headline}`,
  };
}
