// One audit entry: when, what kind, which host, who (a chat identity or a component), and JSON data.
// Validated on the way in and on the way out; data is always redacted before it is stored.
import { z } from 'zod';
import type { ChatUser } from '../../chat/model.ts';
import { identitiesOf, mention } from '../../policy/roles.ts';
import type { Decoded } from '../record.ts';

/** The format of a stream entry (its "v" field); entries without one are the same format, older. */
export const AUDIT_FORMAT = 1;

/** Where a refusal happened: the grammar, the rate limit, the policy, an approval's state, a busy host. */
export const REFUSAL_STAGES = ['grammar', 'rate-limit', 'policy', 'decision', 'elsewhere', 'busy', 'unknown-button', 'not-found'] as const;

/** refusal: someone tried something and was refused (who, what, at which stage, why). */
export const AUDIT_KINDS = ['command', 'refusal', 'decision', 'approval', 'plan', 'result', 'verification'] as const;
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
    if (e.kind === 'refusal') {
      const d = e.data as { stage?: unknown; reason?: unknown } | null;
      if (!d || !REFUSAL_STAGES.includes(d.stage as (typeof REFUSAL_STAGES)[number]) || typeof d.reason !== 'string') {
        ctx.addIssue({ code: 'custom', path: ['data'], message: `a refusal entry carries { stage: ${REFUSAL_STAGES.join('|')}, reason }` });
      }
    }
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

/** XRANGE's [id, [field, value, ...]] into an entry, or why this version cannot read it. */
export function readStreamEntry(id: string, flat: string[]): Decoded<AuditEntry> {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  if (f['v'] !== undefined && f['v'] !== String(AUDIT_FORMAT)) return { ok: false, problem: `written in format ${JSON.stringify(f['v'])} (another version of rdp-medic); this version reads format ${AUDIT_FORMAT}` };
  let data: unknown = null;
  try {
    data = f['data'] ? (JSON.parse(f['data']) as unknown) : null;
  } catch {
    return { ok: false, problem: 'its data is not JSON' };
  }
  const parsed = AuditEntry.safeParse({ id, ts: f['ts'], kind: f['kind'], host: f['host'] ? f['host'] : null, actor: f['actor'], actorName: f['actorName'] ?? '', data });
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: issue ? `${issue.path.join('.') || 'the entry'}: ${issue.message}` : 'it does not fit' };
}

/** XRANGE's [id, [field, value, ...]] into an entry; throws when this version cannot read it. */
export function entryFromStream(id: string, flat: string[]): AuditEntry {
  const r = readStreamEntry(id, flat);
  if (!r.ok) throw new Error(`audit entry ${id}: ${r.problem}`);
  return r.value;
}

/**
 * Lookups (`history HOST`, `status HOST`) that were answered: recorded like every command, but left
 * out of `history` so reading a host's history does not fill it. Refused lookups stay in.
 */
export function isLookup(e: AuditEntry): boolean {
  if (e.kind !== 'command') return false;
  const d = (e.data ?? {}) as { subcommand?: unknown; text?: unknown; outcome?: unknown };
  if (d.outcome !== undefined && d.outcome !== 'accepted') return false;
  // Entries from before commands recorded their subcommand: read it from the text.
  const sub = typeof d.subcommand === 'string' ? d.subcommand : /^\s*(?:\/rdp(?:-medic)?\s+)?([a-z]+)/i.exec(typeof d.text === 'string' ? d.text : '')?.[1]?.toLowerCase();
  return sub === 'history' || sub === 'status';
}
