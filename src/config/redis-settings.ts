// The `redis` block: where Redis is (a URL, or Sentinel), how to reach it (passwords, TLS), and
// what bot and workers check at start (persistence, eviction) and wait for on writes that must
// survive a failover. REDIS_URL overrides `url`. See docs/decisions/0007-redis-deployments.md.
import { z } from 'zod';
import { SecretRef } from './secret-ref.ts';

export const KeyPrefix = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a key prefix is lower-case letters, digits and "-", starting with a letter');

export const RedisTls = z
  .object({
    /** PEM file of the CA bundle that signed the server certificates. Default: the system's CAs. */
    ca: z.string().min(1).optional(),
    /** Client certificate and key (PEM files) for a server that asks for one (tls-auth-clients). */
    cert: z.string().min(1).optional(),
    key: z.string().min(1).optional(),
    /** The name the server certificates are checked against, when it is not the address connected to. */
    servername: z.string().min(1).optional(),
    /** Skip certificate verification (a test setup only): logged as a warning at every start. */
    insecure: z.boolean().default(false),
  })
  .strict()
  .refine((t) => !t.cert === !t.key, 'a client certificate needs both cert and key');
export type RedisTls = z.infer<typeof RedisTls>;

function parseUrl(text: string | undefined): URL | null {
  try {
    return text ? new URL(text) : null;
  } catch {
    return null;
  }
}

const Sentinel = z.object({ host: z.string().min(1), port: z.number().int().min(1).max(65535) }).strict();

export const RedisSettings = z
  .object({
    /** redis:// or rediss:// (TLS) URL; REDIS_URL overrides it. Under Sentinel it gives db, credentials and TLS only. */
    url: z.string().optional(),
    /** The data nodes' ACL user and password, when they are not in the URL. */
    username: z.string().min(1).optional(),
    password: SecretRef.optional(),
    /** TLS settings of the data nodes (CA, client certificate). Needs a rediss:// URL: never a silent plaintext fallback. */
    tls: RedisTls.optional(),
    /** Redis Sentinel: the sentinels to ask for the current primary of `name`. */
    sentinels: z.array(Sentinel).min(1).optional(),
    /** The Sentinel master group name. Default: REDIS_SENTINEL_NAME, else "mymaster". */
    name: z.string().optional(),
    /** The sentinels' own ACL user and password (sentinel `requirepass`), when they have one. */
    sentinelUsername: z.string().min(1).optional(),
    sentinelPassword: SecretRef.optional(),
    /** TLS to the sentinels: true uses the `tls` settings, or settings of their own. */
    sentinelTls: z.union([z.boolean(), RedisTls]).default(false),
    /** Prefix of every key and queue, so several installations can share one Redis. */
    prefix: KeyPrefix.default('rdp-medic'),
    /**
     * Refuse to start unless Redis persists (AOF, or RDB snapshots with a recent save): a restart of
     * a Redis that keeps nothing loses approvals and fixes in flight. false: start anyway (a warning).
     */
    requirePersistence: z.boolean().default(true),
    /** Refuse to start when Redis may evict keys (maxmemory-policy other than noeviction with a maxmemory set). */
    requireNoEviction: z.boolean().default(true),
    /**
     * Writes that must not be lost in a failover (approval transitions, receipts, undo records, the
     * audit trail) wait until this many replicas have them (WAIT). Default: 1 under Sentinel, else 0.
     */
    confirmReplicas: z.number().int().min(0).max(16).optional(),
    /** How long one WAIT may take before the write is checked against the sentinels and retried. */
    confirmTimeoutMs: z.number().int().min(50).max(60_000).default(1_000),
  })
  .strict()
  .superRefine((r, ctx) => {
    const url = parseUrl(r.url);
    if (r.tls && url && url.protocol !== 'rediss:') ctx.addIssue({ code: 'custom', path: ['tls'], message: `TLS settings need a rediss:// URL; ${url.protocol}// would connect in plaintext` });
    if (!r.sentinels) {
      for (const k of ['name', 'sentinelUsername', 'sentinelPassword'] as const) if (r[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `${k} needs sentinels` });
      if (r.sentinelTls !== false) ctx.addIssue({ code: 'custom', path: ['sentinelTls'], message: 'sentinelTls needs sentinels' });
    }
    if (r.sentinelTls === true && !r.tls && url?.protocol !== 'rediss:') ctx.addIssue({ code: 'custom', path: ['sentinelTls'], message: 'sentinelTls: true uses the tls settings: give tls (or settings of its own)' });
  })
  .prefault({});
export type RedisSettings = z.infer<typeof RedisSettings>;
