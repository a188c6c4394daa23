// A guard in front of discord.js for INTERACTION_CREATE. discord.js builds interaction objects
// inside its gateway dispatch, where a throw on odd data (no `entitlements`, no `message` on a
// click, ...) becomes an unhandled rejection that would end the process. The client emits every
// dispatch as `raw` before it handles it, with the same packet object: a packet that lacks what
// discord.js needs is logged (without its token) and renamed so no handler picks it up.
import { z } from 'zod';

const Snowflake = z.string().regex(/^\d{1,25}$/);
const User = z.object({ id: Snowflake, username: z.string() }).loose();

const Base = z
  .object({
    id: Snowflake,
    application_id: Snowflake,
    token: z.string().min(1),
    type: z.number().int(),
    entitlements: z.array(z.unknown()),
    authorizing_integration_owners: z.record(z.string(), z.unknown()),
    channel: z.object({ id: Snowflake, type: z.number().int() }).loose(),
    member: z.object({ user: User, roles: z.array(Snowflake) }).loose().optional(),
    user: User.optional(),
  })
  .loose()
  .refine((d) => d.member !== undefined || d.user !== undefined, { message: 'neither member nor user', path: ['member'] });

const Command = z.object({ data: z.object({ id: Snowflake, name: z.string(), type: z.number().int(), options: z.array(z.unknown()).optional() }).loose() }).loose();
const Component = z
  .object({
    data: z.object({ custom_id: z.string().min(1).max(100), component_type: z.number().int() }).loose(),
    message: z.object({ id: Snowflake, channel_id: Snowflake }).loose(),
  })
  .loose();

/** Why an INTERACTION_CREATE payload would trip discord.js, or null if it is safe to hand on. */
export function interactionProblem(d: unknown): string | null {
  const base = Base.safeParse(d);
  if (!base.success) return describe(base.error);
  const type = base.data.type;
  // 2 = application command, 4 = autocomplete, 3 = message component.
  const extra = type === 2 || type === 4 ? Command.safeParse(d) : type === 3 ? Component.safeParse(d) : null;
  if (extra && !extra.success) return describe(extra.error);
  return null;
}

// Paths and messages only: never a value (the token is one of them).
const describe = (e: z.ZodError): string =>
  e.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || '(payload)'}: ${i.message}`)
    .join('; ');

export const IGNORED_DISPATCH = 'RDP_MEDIC_IGNORED_MALFORMED';

export interface RawPacket {
  t?: string | null;
  d?: unknown;
}

/** parentId: a thread's parent channel, when the packet names one (the channel allow-list needs it). */
export type GuardResult = { ok: true; interactionId: string; channelType: number; parentId?: string } | { ok: false; problem: string } | null;

/**
 * For INTERACTION_CREATE: neutralizes a malformed packet in place and says why, or returns the
 * interaction's id, channel type and (a thread) parent channel; null for every other packet.
 */
export function guardPacket(packet: RawPacket): GuardResult {
  if (packet.t !== 'INTERACTION_CREATE') return null;
  const problem = interactionProblem(packet.d);
  if (problem) {
    packet.t = IGNORED_DISPATCH;
    return { ok: false, problem };
  }
  const d = packet.d as { id: string; channel: { type: number; parent_id?: unknown } };
  const parent = d.channel.parent_id;
  return { ok: true, interactionId: d.id, channelType: d.channel.type, ...(typeof parent === 'string' && /^\d{1,25}$/.test(parent) ? { parentId: parent } : {}) };
}
