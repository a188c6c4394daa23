// The button a finding carries for its proposed fix. Clicking it only asks for approval; the confirm
// dialog still states the impact, so nobody requests a disruptive or weakening change by accident.
import type { FixProposal } from '../rdp/types.ts';
import type { CardAction } from '../chat/model.ts';
import { proposeActionId } from './action-ids.ts';
import { needsConfirm, riskStyle, securitySentence } from './risk.ts';
import { timeBoxMinutes } from './time-box.ts';

function leadSentence(host: string, fix: FixProposal): string {
  if (fix.risk === 'disruptive') return `Disruptive: it interrupts Remote Desktop on ${host}, and open RDP sessions may be dropped.`;
  if (fix.risk === 'weakens-security') return `Weakens security on ${host}.`;
  return '';
}

export function proposeFixAction(host: string, fix: FixProposal): CardAction {
  const action: CardAction = { id: proposeActionId(host, fix.id), label: `Fix: ${fix.title}`, style: riskStyle(fix.risk) };
  if (!needsConfirm(fix.risk)) return action;
  const text = [leadSentence(host, fix), securitySentence(fix.risk, false, timeBoxMinutes(fix.id), fix.exposes), fix.impact, 'Nothing changes until an approver says yes.']
    .filter(Boolean)
    .join(' ');
  return { ...action, confirm: { title: `Request: ${fix.title}?`, text, confirm: 'Request approval', deny: 'Cancel' } };
}
