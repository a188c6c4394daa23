// Policy decisions in plain words: allowed, or why not and who can. Pure functions over the
// validated policy and the inventory's groups and tags (for role scopes); the caller audits the
// decision. Without a host a decision is about the kind of action ("may check hosts at all"); with
// one, only roles whose scope covers that host count.
import type { Policy } from '../config/policy.ts';
import type { FixRisk } from '../rdp/types.ts';
import type { ChatUser } from '../chat/model.ts';
import { accountOf, covers, identitiesOf, mention, personOf, rolesOf, samePerson, sameUser, type HostIndex, type HostLabels } from './roles.ts';

export type Decision = { allowed: true } | { allowed: false; reason: string };

const ALLOWED: Decision = { allowed: true };

/** The host a decision is about: its id, and its groups and tags (undefined: not in the inventory). */
interface About {
  host: string;
  labels: HostLabels | undefined;
}

/** "the approver role (console:bob, slack-group:S0ABC)": who holds the roles that could (for `about`: whose scope covers it). */
function whoCan(roles: string[], policy: Policy, about?: About): string {
  if (roles.length === 0) return 'nobody (the policy names no role for it)';
  const covering = about ? roles.filter((r) => policy.roles[r] && covers(policy.roles[r], about.labels)) : roles;
  if (covering.length === 0) return `nobody (no role for it covers ${about!.host})`;
  const holders = (r: string): string => {
    const ids = policy.roles[r]?.members ?? [];
    if (ids.length === 0) return 'nobody yet';
    return ids.length > 5 ? `${ids.slice(0, 5).join(', ')} and ${ids.length - 5} more` : ids.join(', ');
  };
  return covering.map((r) => `the ${r} role (${holders(r)})`).join(' or ');
}

/** "group:lab, tag:kiosk": what these roles cover together. */
const coverage = (roles: string[], policy: Policy): string => [...new Set(roles.flatMap((r) => policy.roles[r]?.scope ?? []))].join(', ');

/** `action` says what is refused ("request fixes"); `onHost` says it about one host ("request fixes on db-01"). */
function requireRole(user: ChatUser, policy: Policy, needed: string[], action: string, about?: About, onHost = (host: string): string => `${action} on ${host}`): Decision {
  const mine = rolesOf(user, policy);
  const held = mine.filter((r) => needed.includes(r));
  if (held.some((r) => !about || covers(policy.roles[r]!, about.labels))) return ALLOWED;
  if (about && held.length) {
    return {
      allowed: false,
      reason: `${mention(user)} may not ${onHost(about.host)}: your roles (${held.join(', ')}) cover ${coverage(held, policy)} only. Who can: ${whoCan(needed, policy, about)}.`,
    };
  }
  const why = mine.length ? `your roles (${mine.join(', ')}) do not include it` : `${identitiesOf(user)[0]} has no rdp-medic role`;
  return { allowed: false, reason: `${mention(user)} may not ${action}: ${why}. Who can: ${whoCan(needed, policy, about)}.` };
}

const aboutHost = (hosts: HostIndex, host: string | undefined): About | undefined => (host === undefined ? undefined : { host, labels: hosts[host] });

export function mayCheck(user: ChatUser, policy: Policy, hosts: HostIndex = {}, host?: string): Decision {
  return requireRole(user, policy, policy.check, 'check hosts', aboutHost(hosts, host), (h) => `check ${h}`);
}

export function mayRequestFix(user: ChatUser, policy: Policy, hosts: HostIndex = {}, host?: string): Decision {
  return requireRole(user, policy, policy.request, 'request fixes', aboutHost(hosts, host));
}

/** " slack:U0BOB and console:bob are both bob (policy.people);": how another account is the requester. */
function samePersonWords(user: ChatUser, requester: ChatUser, policy: Policy): string {
  if (sameUser(user, requester)) return '';
  return ` ${accountOf(user)} and ${accountOf(requester)} are both ${personOf(user, policy)} (policy.people);`;
}

export function mayApprove(user: ChatUser, risk: FixRisk, requester: ChatUser, policy: Policy, hosts: HostIndex = {}, host?: string): Decision {
  const needed = policy.approve[risk];
  const about = aboutHost(hosts, host);
  // Four-eyes compares people: a second account of the requester is still the requester.
  if (policy.fourEyes.includes(risk) && samePerson(user, requester, policy)) {
    const others = needed.length ? `someone else with ${whoCan(needed, policy, about)}` : 'nobody (the policy names no approver role)';
    return { allowed: false, reason: `${mention(user)} may not approve their own ${risk} fix (four-eyes):${samePersonWords(user, requester, policy)} it needs ${others}.` };
  }
  return requireRole(user, policy, needed, `approve ${risk} fixes`, about);
}

/** Rejecting: the requester (any of their accounts) may withdraw; otherwise it takes an approver for the class. */
export function mayReject(user: ChatUser, risk: FixRisk, requester: ChatUser, policy: Policy, hosts: HostIndex = {}, host?: string): Decision {
  if (samePerson(user, requester, policy)) return ALLOWED;
  return requireRole(user, policy, policy.approve[risk], `reject ${risk} fixes`, aboutHost(hosts, host));
}

/** The refusal for a group or tag none of whose hosts the user's roles cover. */
export function noneInScope(user: ChatUser, policy: Policy, selector: string, total: number): Decision {
  const mine = rolesOf(user, policy);
  const held = mine.filter((r) => policy.check.includes(r));
  const hosts = `${total} host${total === 1 ? '' : 's'}`;
  const why = held.length
    ? `none of its ${hosts} is within your roles' scope (${held.join(', ')}: ${coverage(held, policy)})`
    : mine.length ? `your roles (${mine.join(', ')}) do not include checking` : `${identitiesOf(user)[0]} has no rdp-medic role`;
  return { allowed: false, reason: `${mention(user)} may not check ${selector}: ${why}. Who can: ${whoCan(policy.check, policy)}.` };
}

/** The decisions bound to one policy and inventory: what approvals and the command handler take. */
export interface PolicyGate {
  rolesOf(user: ChatUser): string[];
  /** The person policy.people names for this account, or null. */
  personOf(user: ChatUser): string | null;
  /** Without a host: may this user check any host at all. */
  mayCheck(user: ChatUser, host?: string): Decision;
  /** Which hosts this user may check (a group or tag expands only to these). */
  checkable(user: ChatUser): (host: string) => boolean;
  mayRequestFix(user: ChatUser, host?: string): Decision;
  mayApprove(user: ChatUser, risk: FixRisk, requester: ChatUser, host?: string): Decision;
  mayReject(user: ChatUser, risk: FixRisk, requester: ChatUser, host?: string): Decision;
  noneInScope(user: ChatUser, selector: string, total: number): Decision;
}

/** `hosts`: the inventory's groups and tags per host id (the config's `hosts`); without it scoped roles cover nothing. */
export function policyGate(policy: Policy, hosts: HostIndex = {}): PolicyGate {
  return {
    rolesOf: (u) => rolesOf(u, policy),
    personOf: (u) => personOf(u, policy),
    mayCheck: (u, host) => mayCheck(u, policy, hosts, host),
    checkable: (u) => (host) => mayCheck(u, policy, hosts, host).allowed,
    mayRequestFix: (u, host) => mayRequestFix(u, policy, hosts, host),
    mayApprove: (u, risk, requester, host) => mayApprove(u, risk, requester, policy, hosts, host),
    mayReject: (u, risk, requester, host) => mayReject(u, risk, requester, policy, hosts, host),
    noneInScope: (u, selector, total) => noneInScope(u, policy, selector, total),
  };
}
