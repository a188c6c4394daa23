// Who may do what, from the config file's `policy`. Identities are platform user ids and platform
// groups/roles ("slack:U123", "slack-group:S0ABC", "discord:123", "discord-role:456",
// "console:alice"), mapped to policy roles; actions name roles. Display names never authorize.
// A role is a list of identities (it covers every host), or { members, scope } whose scope names the
// inventory groups and tags it covers. `people` says which accounts are one person, so four-eyes
// compares people, not accounts. Absent keys get secure defaults: no identities means nobody may do
// anything.
import { z } from 'zod';

export const RISKS = ['safe', 'disruptive', 'weakens-security'] as const;
export const Risk = z.enum(RISKS);

export const Identity = z
  .string()
  .regex(
    /^(slack|slack-group|discord|discord-role|console|console-group):[A-Za-z0-9._@-]{1,80}$/,
    'an identity is KIND:ID with KIND one of slack, slack-group, discord, discord-role, console, console-group (e.g. "slack:U0123ABC", "console:alice")',
  );

/** One account: a person lists accounts, never groups (a group is many people). */
export const AccountIdentity = z
  .string()
  .regex(/^(slack|discord|console):[A-Za-z0-9._@-]{1,80}$/, 'a person\'s account is slack:USER_ID, discord:USER_ID or console:NAME (groups and roles are not people)');

export const RoleName = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/i, 'a role name is a letter, then letters, digits, "_" or "-"');

export const PersonName = z.string().regex(/^[a-z][a-z0-9._-]{0,39}$/i, 'a person\'s name is a letter, then letters, digits, ".", "_" or "-"');

/** "group:lab" or "tag:kiosk": the inventory groups and tags a role covers. */
export const ScopeEntry = z.string().regex(/^(group|tag):[^\s:]{1,100}$/i, 'a scope entry is group:NAME or tag:NAME (an inventory group or tag)');

const RoleGrant = z
  .object({
    members: z.array(Identity),
    /** The hosts this role covers; absent (or null, as a parsed config writes it back): every host. */
    scope: z.array(ScopeEntry).min(1, 'a scope names at least one group:NAME or tag:NAME; leave it out to cover every host').nullable().optional(),
  })
  .strict();

const RoleDefinition = z.union([z.array(Identity), RoleGrant], {
  error: 'a role is a list of identities, or { members: [identities], scope: [group:NAME, tag:NAME] }',
});

/** A role as every reader sees it: its members, and the entries of its scope ("group:lab"; null: every host). */
export interface ResolvedRole {
  members: string[];
  scope: string[] | null;
}

function resolveRole(def: z.output<typeof RoleDefinition>): ResolvedRole {
  if (Array.isArray(def)) return { members: def, scope: null };
  // The kind in lower case ("Group:lab" -> "group:lab"); names keep their case (matched case-insensitively).
  const scope = def.scope?.map((e) => `${e.slice(0, e.indexOf(':')).toLowerCase()}${e.slice(e.indexOf(':'))}`) ?? null;
  return { members: def.members, scope };
}

const Roles = z.array(RoleName);

export const Policy = z
  .object({
    /** role -> identities holding it, or { members, scope }. */
    roles: z.record(RoleName, RoleDefinition).default({}),
    /** person -> the accounts that are this one person (four-eyes compares people). */
    people: z.record(PersonName, z.array(AccountIdentity).min(1, 'a person lists at least one account')).optional(),
    /** Who may run check/status/history/hosts. Default: every role defined above. */
    check: Roles.optional(),
    /** Who may request a fix or an undo (it still needs an approval). Default: every role. */
    request: Roles.optional(),
    /** Who may approve each risk class. Absent classes: nobody. */
    approve: z
      .object({ safe: Roles.default([]), disruptive: Roles.default([]), 'weakens-security': Roles.default([]) })
      .strict()
      .prefault({}),
    /** Risk classes where the approver must not be the requester (the same person). */
    fourEyes: z.array(Risk).default(['disruptive', 'weakens-security']),
    approvalExpiryMinutes: z.number().int().min(1).max(24 * 60).default(15),
    rateLimit: z
      .object({ commandsPerMinute: z.number().int().min(1).max(10_000).default(10) })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((p, ctx) => {
    const known = Object.keys(p.roles);
    const checkRoles = (roles: string[] | undefined, path: (string | number)[]): void =>
      roles?.forEach((r, i) => {
        if (!known.includes(r)) ctx.addIssue({ code: 'custom', path: [...path, i], message: `unknown role "${r}"; defined in policy.roles: ${known.join(', ') || 'none'}` });
      });
    checkRoles(p.check, ['check']);
    checkRoles(p.request, ['request']);
    for (const risk of RISKS) checkRoles(p.approve[risk], ['approve', risk]);
    // An account belongs to one person: two would make "the same person" ambiguous.
    const owner = new Map<string, string>();
    for (const [person, accounts] of Object.entries(p.people ?? {})) {
      accounts.forEach((account, i) => {
        const first = owner.get(account);
        if (first !== undefined && first !== person) ctx.addIssue({ code: 'custom', path: ['people', person, i], message: `${account} is already ${first}'s account; an account belongs to one person` });
        else owner.set(account, person);
      });
    }
  })
  // Resolve the defaults once (every role; every host), so readers never have to know about them.
  .transform((p) => ({
    ...p,
    roles: Object.fromEntries(Object.entries(p.roles).map(([name, def]) => [name, resolveRole(def)])) as Record<string, ResolvedRole>,
    check: p.check ?? Object.keys(p.roles),
    request: p.request ?? Object.keys(p.roles),
  }));

export type Policy = z.output<typeof Policy>;
export type PolicyInput = z.input<typeof Policy>;

/** Every group:/tag: a role's scope names, with where it is in the file (for checks against the inventory). */
export function scopeEntries(policy: Policy): { role: string; index: number; kind: 'group' | 'tag'; name: string }[] {
  return Object.entries(policy.roles).flatMap(([role, r]) =>
    (r.scope ?? []).map((entry, index) => {
      const colon = entry.indexOf(':');
      return { role, index, kind: entry.slice(0, colon) as 'group' | 'tag', name: entry.slice(colon + 1) };
    }),
  );
}
