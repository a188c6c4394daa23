// Who may do what, from the config file's `policy`. Identities are platform user ids and platform
// groups/roles ("slack:U123", "slack-group:S0ABC", "discord:123", "discord-role:456",
// "console:alice"), mapped to policy roles; actions name roles. Display names never authorize.
// Absent keys get secure defaults: no identities means nobody may do anything.
import { z } from 'zod';

export const RISKS = ['safe', 'disruptive', 'weakens-security'] as const;
export const Risk = z.enum(RISKS);

export const Identity = z
  .string()
  .regex(
    /^(slack|slack-group|discord|discord-role|console|console-group):[A-Za-z0-9._@-]{1,80}$/,
    'an identity is KIND:ID with KIND one of slack, slack-group, discord, discord-role, console, console-group (e.g. "slack:U0123ABC", "console:alice")',
  );

export const RoleName = z.string().regex(/^[a-z][a-z0-9_-]{0,39}$/i, 'a role name is a letter, then letters, digits, "_" or "-"');

const Roles = z.array(RoleName);

export const Policy = z
  .object({
    /** role -> identities holding it. */
    roles: z.record(RoleName, z.array(Identity)).default({}),
    /** Who may run check/status/history/hosts. Default: every role defined above. */
    check: Roles.optional(),
    /** Who may request a fix or an undo (it still needs an approval). Default: every role. */
    request: Roles.optional(),
    /** Who may approve each risk class. Absent classes: nobody. */
    approve: z
      .object({ safe: Roles.default([]), disruptive: Roles.default([]), 'weakens-security': Roles.default([]) })
      .strict()
      .prefault({}),
    /** Risk classes where the approver must not be the requester. */
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
  })
  // Resolve the "every role" defaults once, so readers never have to know about them.
  .transform((p) => ({ ...p, check: p.check ?? Object.keys(p.roles), request: p.request ?? Object.keys(p.roles) }));

export type Policy = z.output<typeof Policy>;
export type PolicyInput = z.input<typeof Policy>;
