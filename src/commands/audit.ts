// rdp-medic audit export [--config FILE] [--since TIME]: the audit stream as JSON lines on stdout,
// oldest first. With --config (or RDP_MEDIC_CONFIG) it reads the Redis and key prefix bot and
// workers use (Sentinel, TLS and passwords included); --redis-url and --prefix override them.
// TIME is an ISO date/time ("2025-01-02", "2025-01-02T14:00:00Z") or an age ("90m", "12h", "7d").
// Entries this version cannot read (written by another version) are left out and counted on stderr.
import { once } from 'node:events';
import type { Command } from 'commander';
import { EXIT, err, readConfigOption, runCommand, UsageError } from './lib/cli-io.ts';
import { KeyPrefix, RedisSettings } from '../config/redis-settings.ts';
import { connectRedis } from '../state/connect.ts';
import { DEFAULT_REDIS_URL, redactRedisUrl } from '../state/redis.ts';
import { exportAudit } from '../state/audit/export.ts';
import { errorText } from '../lib/error-text.ts';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseSince(text: string, now = new Date()): Date {
  const age = /^(\d+)\s*([smhd])$/i.exec(text.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2]!.toLowerCase() as keyof typeof UNIT_MS]);
  const t = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`--since "${text}": expected an ISO date/time (2025-01-02, 2025-01-02T14:00:00Z) or an age (90m, 12h, 7d)`);
  return new Date(t);
}

interface ExportFlags {
  since?: string;
  config?: string;
  redisUrl?: string;
  prefix?: string;
}

/** The `redis` settings to read: the config file's (when one is given), then the flags over them. */
function redisSettingsOf(flags: ExportFlags): RedisSettings {
  const file = flags.config ?? process.env.RDP_MEDIC_CONFIG;
  const base = file ? readConfigOption(file).redis : RedisSettings.parse({});
  if (flags.prefix !== undefined && !KeyPrefix.safeParse(flags.prefix).success) throw new UsageError(`--prefix "${flags.prefix}": ${KeyPrefix.safeParse(flags.prefix).error?.issues[0]?.message ?? 'invalid'}`);
  return { ...base, ...(flags.redisUrl ? { url: flags.redisUrl } : {}), ...(flags.prefix ? { prefix: flags.prefix } : {}) };
}

export function register(program: Command): void {
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('The audit trail of commands, refusals, decisions, plans and results');
  audit
    .command('export')
    .description('Write the audit trail as JSON lines (one entry a line, oldest first)')
    .option('--config <file>', "the bot's and workers' configuration file: its Redis and key prefix (or RDP_MEDIC_CONFIG)")
    .option('--since <time>', 'only entries from this time on: ISO date/time or an age like 12h, 7d')
    .option('--redis-url <url>', 'Redis to read (default: the config file, else REDIS_URL, else redis://127.0.0.1:6379)')
    .option('--prefix <prefix>', 'key prefix (default: the config file\'s redis.prefix, else "rdp-medic")')
    .action((flags: ExportFlags) =>
      runCommand(async () => {
        const since = flags.since ? parseSince(flags.since) : undefined;
        const settings = redisSettingsOf(flags);
        // A URL on the command line wins over REDIS_URL; without one, REDIS_URL wins over the file (as for bot and worker).
        const redis = await connectRedis(settings, 'rdp-medic:audit-export', undefined, { maxConnectAttempts: 3, ...(flags.redisUrl ? { url: flags.redisUrl } : {}) });
        const url = flags.redisUrl ?? (process.env['REDIS_URL'] || settings.url) ?? DEFAULT_REDIS_URL;
        const where = settings.sentinels ? `sentinel master "${settings.name ?? 'mymaster'}"` : redactRedisUrl(url);
        let skipped = 0;
        let written = 0;
        try {
          for await (const entry of exportAudit(redis, { ...(since ? { since } : {}), prefix: settings.prefix, report: () => void skipped++ })) {
            written++;
            if (!process.stdout.write(`${JSON.stringify(entry)}\n`)) await once(process.stdout, 'drain');
          }
        } catch (e) {
          throw new Error(`cannot read the audit trail "${settings.prefix}:audit" from ${where}: ${errorText(e)}`);
        } finally {
          await redis.quit().catch(() => redis.disconnect());
        }
        if (skipped) err(`${skipped} entries of "${settings.prefix}:audit" were written by another version of rdp-medic and left out`);
        // Nothing at all is worth saying (a wrong prefix or Redis exports nothing, silently otherwise).
        if (written === 0 && skipped === 0) err(`no entries in "${settings.prefix}:audit" at ${where}${since ? ` since ${since.toISOString()}` : ''}`);
        return EXIT.ok;
      }),
    );
}
