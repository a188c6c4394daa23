// Which policy roles a chat user holds: by their platform user id and by their platform groups
// (Slack user groups, Discord roles). The display name is never consulted. Which person an account
// is (policy.people), and which hosts a role covers (its scope over the inventory's groups and tags).
import type { Policy, ResolvedRole } from '../config/policy.ts';
import type { ChatUser } from '../chat/model.ts';

const GROUP_KIND = { slack: 'slack-group', discord: 'discord-role', console: 'console-group' } as const;

/** What a host is known by for scopes: its inventory groups and tags. */
export interface HostLabels {
  groups: readonly string[];
  tags: readonly string[];
}

/** host id -> its groups and tags (the config's `hosts` fits). */
export type HostIndex = Readonly<Record<string, HostLabels>>;

/** "slack:U123": the one account a user is. */
export const accountOf = (user: Pick<ChatUser, 'platform' | 'id'>): string => `${user.platform}:${user.id}`;

/** The identity strings a user matches, e.g. ["slack:U123", "slack-group:S0ABC"]. */
export function identitiesOf(user: ChatUser): string[] {
  return [accountOf(user), ...user.groups.map((g) => `${GROUP_KIND[user.platform]}:${g}`)];
}

export function rolesOf(user: ChatUser, policy: Policy): string[] {
  const mine = new Set(identitiesOf(user));
  return Object.entries(policy.roles)
    .filter(([, role]) => role.members.some((i) => mine.has(i)))
    .map(([name]) => name)
    .sort();
}

/** The person policy.people names for this account, or null (then the account is a person of its own). */
export function personOf(user: Pick<ChatUser, 'platform' | 'id'>, policy: Policy): string | null {
  const account = accountOf(user);
  for (const [person, accounts] of Object.entries(policy.people ?? {})) if (accounts.includes(account)) return person;
  return null;
}

export const sameUser = (a: ChatUser, b: ChatUser): boolean => a.platform === b.platform && a.id === b.id;

/** The same person: the same account, or two accounts policy.people lists under one name. */
export function samePerson(a: ChatUser, b: ChatUser, policy: Policy): boolean {
  if (sameUser(a, b)) return true;
  const person = personOf(a, policy);
  return person !== null && person === personOf(b, policy);
}

/** Whether a role covers a host: a role without a scope covers every host; an unknown host, only those. */
export function covers(role: ResolvedRole, host: HostLabels | undefined): boolean {
  if (!role.scope) return true;
  if (!host) return false;
  const has = (names: readonly string[], name: string): boolean => names.some((n) => n.toLowerCase() === name.toLowerCase());
  return role.scope.some((entry) => {
    const colon = entry.indexOf(':');
    const name = entry.slice(colon + 1);
    return entry.startsWith('group:') ? has(host.groups, name) : has(host.tags, name);
  });
}

export { mention } from '../chat/mention.ts';
