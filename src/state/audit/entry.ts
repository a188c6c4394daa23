// One audit entry: when, what kind, which host, who (a chat identity or a component), and JSON data.
// Validated on the way in and on the way out; data is always redacted before it is stored.
import { z } from 'zod';
import type { ChatUser } from '../../chat/model.ts';
import { identitiesOf, mention } from '../../policy/roles.ts';

export const AUDIT_KINDS = ['command', 'decision', 'approval', 'plan', 'result', 'verification'] as const;
export const AuditKind = z.enum(AUDIT_KINDS);
export type AuditKind = z.infer<typeof AuditKind>;

/** "slack:U123" for people, "worker:host-1" or "bot" for components. */
export const Actor = z.string().regex(/^[a-z][a-z-]*(:[^\s]{1,120})?$/, 'an actor is "platform:id" or a component name');

/** Data larger than this is stored as a truncated excerpt (a stream entry is not a file store). */
export const MAX_DATA_CHARS = 256 * 1024;

export const AuditInput = z
  .object({
    kind: AuditKind,
    host: z.string().min(1).max(63).nullable().default(null),
    actor: Actor,
    actorName: z.string().max(120).default(''),
    data: z.unknown().default({}),
  })
  .strict()
  .superRefine((e, ctx) => {
    // A plan is audited by its hash and its content (design.md §3.2: the hash names the plan).
    if (e.kind === 'plan') {
      const d = e.data as { hash?: unknown; plan?: unknown } | null;
      if (!d || typeof d.hash !== 'string' || !/^[0-9a-f]{64}$/.test(d.hash) || d.plan === undefined) {
        ctx.addIssue({ code: 'custom', path: ['data'], message: 'a plan entry carries { hash: sha256 hex, plan }' });
      }
    }
  });
export type AuditInput = z.input<typeof AuditInput>;

export const AuditEntry = z.object({
  /** The stream id (ms-seq): order and server time. */
  id: z.string().regex(/^\d+-\d+$/),
  ts: z.string().datetime(),
  kind: AuditKind,
  host: z.string().nullable(),
  actor: z.string(),
  actorName: z.string(),
  data: z.unknown(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** The actor fields for a chat user. */
export const actorOf = (user: ChatUser): { actor: string; actorName: string } => ({ actor: identitiesOf(user)[0]!, actorName: mention(user) });

/** XRANGE's [id, [field, value, ...]] into an entry. */
export function entryFromStream(id: string, flat: string[]): AuditEntry {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  return AuditEntry.parse({
    id,
    ts: f['ts'],
    kind: f['kind'],
    host: f['host'] ? f['host'] : null,
    actor: f['actor'],
    actorName: f['actorName'] ?? '',
    data: f['data'] ? (JSON.parse(f['data']) as unknown) : null,
  });
}
