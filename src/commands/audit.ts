// rdp-medic audit export [--since TIME]: the audit stream as JSON lines on stdout, oldest first.
// TIME is an ISO date/time ("2025-01-02", "2025-01-02T14:00:00Z") or an age ("90m", "12h", "7d").
import { once } from 'node:events';
import type { Command } from 'commander';
import { EXIT, runCommand, UsageError } from './lib/cli-io.ts';
import { createRedis, redactRedisUrl, redisOptions } from '../state/redis.ts';
import { exportAudit } from '../state/audit/export.ts';

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

export function parseSince(text: string, now = new Date()): Date {
  const age = /^(\d+)\s*([smhd])$/i.exec(text.trim());
  if (age) return new Date(now.getTime() - Number(age[1]) * UNIT_MS[age[2]!.toLowerCase() as keyof typeof UNIT_MS]);
  const t = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text.trim()) ? Date.parse(text.trim()) : NaN;
  if (Number.isNaN(t)) throw new UsageError(`--since "${text}": expected an ISO date/time (2025-01-02, 2025-01-02T14:00:00Z) or an age (90m, 12h, 7d)`);
  return new Date(t);
}

export function register(program: Command): void {
  const audit = program.commands.find((c) => c.name() === 'audit') ?? program.command('audit').description('The audit trail of commands, decisions, plans and results');
  audit
    .command('export')
    .description('Write the audit trail as JSON lines (one entry a line, oldest first)')
    .option('--since <time>', 'only entries from this time on: ISO date/time or an age like 12h, 7d')
    .option('--redis-url <url>', 'Redis to read (default: REDIS_URL, else redis://127.0.0.1:6379)')
    .action((flags: { since?: string; redisUrl?: string }) =>
      runCommand(async () => {
        const since = flags.since ? parseSince(flags.since) : undefined;
        const opts = { ...(flags.redisUrl ? { url: flags.redisUrl } : {}), connectionName: 'rdp-medic:audit-export', maxConnectAttempts: 3 };
        const redis = createRedis(opts);
        try {
          for await (const entry of exportAudit(redis, since ? { since } : {})) {
            if (!process.stdout.write(`${JSON.stringify(entry)}\n`)) await once(process.stdout, 'drain');
          }
        } catch (e) {
          throw new Error(`cannot read the audit trail from ${redactRedisUrl(redisOptions(opts).url)}: ${(e as Error).message}`);
        } finally {
          await redis.quit().catch(() => redis.disconnect());
        }
        return EXIT.ok;
      }),
    );
}
