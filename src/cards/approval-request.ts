// The approval request: who asks for what on which host, what it changes and disrupts, whether it
// weakens security, until when it can be approved, and the three buttons.
import type { Card, CardAction, CardSection } from '../chat/model.ts';
import { approveActionId, planActionId, rejectActionId } from './action-ids.ts';
import type { ApprovalView } from './approval-types.ts';
import { RISK_LABEL, dropsSentence, needsConfirm, securitySentence } from './risk.ts';
import { capLines, lowerFirst, mention, mentionTag } from './text.ts';
import { timeBoxMinutes } from './time-box.ts';
import { formatTime } from './time.ts';

/** Plan lines shown on the card; the full plan is one click away (plan:<id>). */
export const MAX_PLAN_LINES = 8;

export function approvalTitle(a: ApprovalView): string {
  return `${mention(a.requester)} asks to ${lowerFirst(a.title)} on ${a.host}`;
}

function timeBoxOf(a: ApprovalView): number | null {
  return a.timeBoxMinutes !== undefined ? a.timeBoxMinutes : timeBoxMinutes(a.fixId);
}

/** The card body without the expiry and buttons: shared with the decided card, which says what changed instead. */
export function approvalBody(a: ApprovalView, changesHeading = 'What will change:'): CardSection[] {
  const box = timeBoxOf(a);
  return [
    { kind: 'text', text: a.impact.summary },
    {
      kind: 'fields',
      fields: [
        { label: 'Risk', value: RISK_LABEL[a.risk] },
        { label: 'Disrupts', value: dropsSentence(a.impact.drops, a.impact.disruptive) },
        { label: 'Security', value: securitySentence(a.risk, a.impact.weakensSecurity, box, a.impact.exposes) },
      ],
    },
    ...(a.planSummary.length
      ? [{ kind: 'text' as const, text: [changesHeading, ...capLines(a.planSummary.map((l) => `• ${l}`), MAX_PLAN_LINES)].join('\n') }]
      : []),
  ];
}

/**
 * Approve follows the risk: inviting (primary) only for a safe change; red with a confirm dialog
 * otherwise, and for a weakening one a second press where the platform has no dialog (Discord).
 */
function approveAction(a: ApprovalView): CardAction {
  const weakens = a.risk === 'weakens-security' || a.impact.weakensSecurity;
  const risky = needsConfirm(a.risk) || a.impact.disruptive || weakens;
  const action: CardAction = { id: approveActionId(a.id), label: `Approve: ${lowerFirst(a.title)}`, style: risky ? 'danger' : 'primary' };
  if (!risky) return action;
  const text = [
    dropsSentence(a.impact.drops, a.impact.disruptive),
    securitySentence(a.risk, a.impact.weakensSecurity, timeBoxOf(a), a.impact.exposes),
    a.impact.summary,
  ].join(' ');
  return { ...action, confirm: { title: `Approve on ${a.host}?`, text, confirm: 'Approve and run', deny: 'Cancel', ...(weakens ? { pressTwice: true } : {}) } };
}

export function approvalFooter(a: ApprovalView): string {
  return `approval ${a.id} · fix ${a.fixId} · requested by ${mentionTag(a.requester)}`;
}

export function approvalRequest(approval: ApprovalView): Card {
  const ping: CardSection[] = approval.onCallMention ? [{ kind: 'text', text: `${approval.onCallMention}: an approval is needed.` }] : [];
  return {
    title: approvalTitle(approval),
    status: 'pending',
    sections: [
      ...ping,
      ...approvalBody(approval),
      { kind: 'text', text: `Approve by ${formatTime(approval.expiresAt)}; after that the request expires and nothing changes.` },
    ],
    actions: [
      approveAction(approval),
      // Rejecting changes nothing: never the alarming style next to a risky Approve.
      { id: rejectActionId(approval.id), label: 'Reject', style: 'default' },
      { id: planActionId(approval.id), label: 'Show the PowerShell', style: 'default' },
    ],
    footer: approvalFooter(approval),
  };
}
