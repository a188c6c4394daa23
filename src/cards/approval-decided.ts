// The approval card once decided: its buttons replaced by what happened (who, what, when), so a
// late click has nothing to press and everyone in the channel reads the outcome, not the request.
import type { Card, CardSection, CardStatus } from '../chat/model.ts';
import { approvalBody, approvalFooter } from './approval-request.ts';
import type { ApprovalDecision, DecidedState, ApprovalView } from './approval-types.ts';
import { lowerFirst, mention } from './text.ts';
import { formatTime } from './time.ts';

const STATUS: Record<DecidedState, CardStatus> = {
  approved: 'running',
  running: 'running',
  done: 'done',
  failed: 'problem',
  rejected: 'refused',
  expired: 'refused',
};

/** The title says the outcome first: "Done: replace the RDP certificate … on work-pc". */
const HEAD: Record<DecidedState, string> = {
  approved: 'Approved',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  rejected: 'Rejected',
  expired: 'Expired',
};

/** What the plan lines mean once decided: changed, changing, or never changed. */
const CHANGES: Record<DecidedState, string | null> = {
  approved: 'What is changing:',
  running: 'What is changing:',
  done: 'What changed:',
  failed: 'What it tried to change (see the result in the thread):',
  rejected: null,
  expired: null,
};

export function decisionLine(d: ApprovalDecision): string {
  const when = formatTime(d.at);
  const by = d.by ? ` by ${mention(d.by)}` : '';
  const head =
    d.state === 'expired' ? `Expired at ${when} without a decision; nothing was changed.`
    : d.state === 'rejected' ? `Rejected${by} at ${when}; nothing was changed.`
    : d.state === 'running' ? `Running since ${when}${by ? ` (approved${by})` : ''}.`
    : d.state === 'approved' ? `Approved${by} at ${when}; it runs now.`
    : d.state === 'done' ? `Finished at ${when}${by ? ` (approved${by})` : ''}; the result is in the thread.`
    : `Failed at ${when}${by ? ` (approved${by})` : ''}; the result in the thread says where the host stands.`;
  return d.reason ? `${head} ${d.state === 'rejected' ? 'Reason' : 'Note'}: ${d.reason}` : head;
}

export function approvalDecided(approval: ApprovalView, decision: ApprovalDecision): Card {
  const heading = CHANGES[decision.state];
  const body: CardSection[] = heading ? approvalBody(approval, heading) : [];
  return {
    title: `${HEAD[decision.state]}: ${lowerFirst(approval.title)} on ${approval.host}, asked by ${mention(approval.requester)}`,
    status: STATUS[decision.state],
    sections: [{ kind: 'text', text: decisionLine(decision) }, ...body],
    actions: [],
    footer: approvalFooter(approval),
  };
}
