// The configuration file: inventory, credentials, DNS, policy. Validated once at start;
// every mistake is reported with its path in the file.
import { z } from 'zod';
import { Policy, scopeEntries } from './policy.ts';
import { RedisSettings } from './redis-settings.ts';
import { BotSettings, OpsSettings, WorkerSettings } from './runtime-settings.ts';
import { SecretRef } from './secret-ref.ts';

export const HostId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/i, 'a host id is letters, digits, ".", "_" or "-" (at most 63)')
  .brand<'HostId'>();
export type HostId = z.infer<typeof HostId>;

export { SecretRef } from './secret-ref.ts';

export const Credential = z
  .object({
    username: z.string().min(1),
    password: SecretRef,
  })
  .strict();
export type Credential = z.infer<typeof Credential>;

const Milliseconds = z.number().int().positive().max(600_000);

export const WinrmEndpoint = z
  .object({
    url: z
      .string()
      .url()
      .refine((u) => /^https?:$/.test(new URL(u).protocol), 'WinRM URL must be http:// or https://'),
    /** Chosen per host, never guessed from the user name. kerberos/negotiate: HTTPS only (ADR 0011). */
    auth: z.enum(['basic', 'ntlm', 'kerberos', 'negotiate']),
    /** For kerberos/negotiate: SPN (default HTTP/<URL host>), a keytab instead of the password. */
    kerberos: z
      .object({
        spn: z.string().regex(/^[^/@\s]+\/[^/@\s]+(@[^/@\s]+)?$/, 'a service principal like HTTP/host.example.com').optional(),
        keytab: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
    credential: z.string().min(1).describe('a key of credentials'),
    /** PEM file of the CA bundle that signed the host's WinRM certificate (HTTPS). */
    ca: z.string().optional(),
    /** SHA-256 fingerprint of the host's certificate (hex, colons optional). */
    pinSha256: z
      .string()
      .regex(/^([0-9a-f]{2}:?){31}[0-9a-f]{2}$/i, '64 hex digits, colons optional')
      .optional(),
    /** Skip certificate verification. Logged as a warning on every connection. */
    insecure: z.boolean().default(false),
    /**
     * Basic over http:// sends the password in clear text on every request, so it is refused unless
     * this is set (and then every connection logs a warning). Use https:// or NTLM instead.
     */
    allowBasicOverHttp: z.boolean().default(false),
    /** Windows' default AllowUnencrypted=false: NTLM over http:// needs WinRM message encryption. */
    encryption: z.enum(['auto', 'always', 'never']).default('auto'),
    timeouts: z
      .object({
        connectMs: Milliseconds.default(5_000),
        requestMs: Milliseconds.default(30_000),
        commandMs: Milliseconds.default(120_000),
      })
      .strict()
      .prefault({}),
    // What the host may send before rdp-medic stops reading (a hostile or broken host must not exhaust
    // a worker's memory). Unset: the client's defaults, 512 KiB per response, 8 MiB of output per command,
    // 4 MiB of decoded results per plan (the read plan's are tens of KB).
    maxResponseBytes: z.number().int().min(256 * 1024).max(1024 ** 3).optional(),
    maxOutputBytes: z.number().int().min(64 * 1024).max(1024 ** 3).optional(),
    maxResultBytes: z.number().int().min(64 * 1024).max(1024 ** 3).optional(),
  })
  .strict();
export type WinrmEndpoint = z.infer<typeof WinrmEndpoint>;

export const HostConfig = z
  .object({
    /** The name users type and DNS resolves (defaults to the host id). */
    address: z.string().min(1).optional(),
    winrm: WinrmEndpoint,
    rdp: z
      .object({ host: z.string().min(1), port: z.number().int().min(1).max(65535).default(3389) })
      .strict()
      .optional(),
    groups: z.array(z.string()).default([]),
    tags: z.array(z.string()).default([]),
    /** The Windows user people connect as, for authz checks (DOMAIN\user or a SID). */
    rdpUsers: z.array(z.string()).default([]),
  })
  .strict();
export type HostConfig = z.infer<typeof HostConfig>;

export const DnsConfig = z
  .object({
    /** Resolvers as "ip" or "ip:port"; empty means the system's. */
    servers: z.array(z.string()).default([]),
    timeoutMs: Milliseconds.default(2_000),
  })
  .strict()
  .prefault({});

export const Config = z
  .object({
    credentials: z.record(z.string(), Credential).default({}),
    hosts: z.record(z.string(), HostConfig),
    dns: DnsConfig,
    /** Who may check, request and approve (src/config/policy.ts); absent means nobody may. */
    policy: Policy.prefault({}),
    /** Platform settings are owned by the adapters; kept loose here until they read them. */
    slack: z.record(z.string(), z.unknown()).optional(),
    discord: z.record(z.string(), z.unknown()).optional(),
    redis: RedisSettings,
    workers: WorkerSettings,
    bot: BotSettings,
    ops: OpsSettings,
  })
  .strict()
  .superRefine((cfg, ctx) => {
    for (const [id, host] of Object.entries(cfg.hosts)) {
      if (!HostId.safeParse(id).success) {
        ctx.addIssue({ code: 'custom', path: ['hosts', id], message: 'a host id is letters, digits, ".", "_" or "-" (at most 63)' });
      }
      if (!(host.winrm.credential in cfg.credentials)) {
        ctx.addIssue({
          code: 'custom',
          path: ['hosts', id, 'winrm', 'credential'],
          message: `unknown credential "${host.winrm.credential}"; defined: ${Object.keys(cfg.credentials).join(', ') || 'none'}`,
        });
      }
    }
    // A role's scope names groups and tags the inventory has: a typo would silently cover nothing.
    for (const e of scopeEntries(cfg.policy)) {
      const known = [...new Set(Object.values(cfg.hosts).flatMap((h) => (e.kind === 'group' ? h.groups : h.tags)))].sort();
      if (known.some((k) => k.toLowerCase() === e.name.toLowerCase())) continue;
      ctx.addIssue({
        code: 'custom',
        path: ['policy', 'roles', e.role, 'scope', e.index],
        message: `no host has the ${e.kind} "${e.name}"; the inventory's ${e.kind}s: ${known.join(', ') || 'none'}`,
      });
    }
  });
export type Config = z.infer<typeof Config>;
