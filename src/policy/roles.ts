// Which policy roles a chat user holds: by their platform user id and by their platform groups
// (Slack user groups, Discord roles). The display name is never consulted.
import type { Policy } from '../config/policy.ts';
import type { ChatUser } from '../chat/model.ts';

const GROUP_KIND = { slack: 'slack-group', discord: 'discord-role', console: 'console-group' } as const;

/** The identity strings a user matches, e.g. ["slack:U123", "slack-group:S0ABC"]. */
export function identitiesOf(user: ChatUser): string[] {
  return [`${user.platform}:${user.id}`, ...user.groups.map((g) => `${GROUP_KIND[user.platform]}:${g}`)];
}

export function rolesOf(user: ChatUser, policy: Policy): string[] {
  const mine = new Set(identitiesOf(user));
  return Object.entries(policy.roles)
    .filter(([, identities]) => identities.some((i) => mine.has(i)))
    .map(([role]) => role)
    .sort();
}

export { mention } from '../chat/mention.ts';

export const sameUser = (a: ChatUser, b: ChatUser): boolean => a.platform === b.platform && a.id === b.id;
