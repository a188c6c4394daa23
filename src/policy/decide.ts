// Policy decisions in plain words: allowed, or why not and who can. Pure functions over the
// validated policy; the caller audits the decision.
import type { Policy } from '../config/policy.ts';
import type { FixRisk } from '../rdp/types.ts';
import type { ChatUser } from '../chat/model.ts';
import { identitiesOf, mention, rolesOf, sameUser } from './roles.ts';

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: Decision = { allowed: true };

/** "the approver role (console:bob, slack-group:S0ABC)" — who holds the roles that could. */
function whoCan(roles: string[], policy: Policy): string {
  if (roles.length === 0) return 'nobody (the policy names no role for it)';
  const holders = (r: string): string => {
    const ids = policy.roles[r] ?? [];
    if (ids.length === 0) return 'nobody yet';
    return ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
  };
  return roles.map((r) => `the ${r} role (${holders(r)})`).join(' or ');
}

function requireRole(user: ChatUser, policy: Policy, needed: string[], action: string): Decision {
  const mine = rolesOf(user, policy);
  if (mine.some((r) => needed.includes(r))) return ALLOWED;
  const held = mine.length ? `your roles (${mine.join(', ')}) do not include it` : `${identitiesOf(user)[0]} has no rdp-medic role`;
  return { allowed: false, reason: `${mention(user)} may not ${action}: ${held}. Who can: ${whoCan(needed, policy)}.` };
}

export function mayCheck(user: ChatUser, policy: Policy): Decision {
  return requireRole(user, policy, policy.check, 'check hosts');
}

export function mayRequestFix(user: ChatUser, policy: Policy): Decision {
  return requireRole(user, policy, policy.request, 'request fixes');
}

export function mayApprove(user: ChatUser, risk: FixRisk, requester: ChatUser, policy: Policy): Decision {
  const needed = policy.approve[risk];
  if (policy.fourEyes.includes(risk) && sameUser(user, requester)) {
    const others = needed.length ? `someone else with ${whoCan(needed, policy)}` : 'nobody (the policy names no approver role)';
    return { allowed: false, reason: `${mention(user)} may not approve their own ${risk} fix (four-eyes): it needs ${others}.` };
  }
  return requireRole(user, policy, needed, `approve ${risk} fixes`);
}

/** Rejecting: the requester may withdraw their own request; otherwise it takes an approver for the class. */
export function mayReject(user: ChatUser, risk: FixRisk, requester: ChatUser, policy: Policy): Decision {
  if (sameUser(user, requester)) return ALLOWED;
  return requireRole(user, policy, policy.approve[risk], `reject ${risk} fixes`);
}

/** The decisions bound to one policy: what approvals and the command handler take. */
export interface PolicyGate {
  rolesOf(user: ChatUser): string[];
  mayCheck(user: ChatUser): Decision;
  mayRequestFix(user: ChatUser): Decision;
  mayApprove(user: ChatUser, risk: FixRisk, requester: ChatUser): Decision;
  mayReject(user: ChatUser, risk: FixRisk, requester: ChatUser): Decision;
}

export function policyGate(policy: Policy): PolicyGate {
  return {
    rolesOf: (u) => rolesOf(u, policy),
    mayCheck: (u) => mayCheck(u, policy),
    mayRequestFix: (u) => mayRequestFix(u, policy),
    mayApprove: (u, risk, requester) => mayApprove(u, risk, requester, policy),
    mayReject: (u, risk, requester) => mayReject(u, risk, requester, policy),
  };
}
