// The approval card once decided: the same card, its buttons replaced by the decision (who, what,
// when), so a late click has nothing to press and everyone in the channel sees the outcome.
import type { Card, CardStatus } from '../chat/model.ts';
import { approvalBody, approvalFooter, approvalTitle } from './approval-request.ts';
import type { ApprovalDecision, DecidedState, ApprovalView } from './approval-types.ts';
import { mention } from './text.ts';
import { formatTime } from './time.ts';

const STATUS: Record<DecidedState, CardStatus> = {
  approved: 'running',
  running: 'running',
  done: 'done',
  failed: 'problem',
  rejected: 'refused',
  expired: 'refused',
};

const VERB: Record<DecidedState, string> = {
  approved: 'Approved',
  running: 'Running',
  done: 'Done',
  failed: 'Failed',
  rejected: 'Rejected',
  expired: 'Expired',
};

export function decisionLine(d: ApprovalDecision): string {
  const when = formatTime(d.at);
  const by = d.by ? ` by ${mention(d.by)}` : '';
  const head =
    d.state === 'expired' ? `Expired at ${when} without a decision; nothing was changed.`
    : d.state === 'rejected' ? `Rejected${by} at ${when}; nothing was changed.`
    : d.state === 'running' ? `Running since ${when}${by ? ` (approved${by})` : ''}.`
    : `${VERB[d.state]}${by} at ${when}.`;
  return d.reason ? `${head} ${d.state === 'rejected' ? 'Reason' : 'Note'}: ${d.reason}` : head;
}

export function approvalDecided(approval: ApprovalView, decision: ApprovalDecision): Card {
  return {
    title: approvalTitle(approval),
    status: STATUS[decision.state],
    sections: [{ kind: 'text', text: decisionLine(decision) }, ...approvalBody(approval)],
    actions: [],
    footer: approvalFooter(approval),
  };
}
