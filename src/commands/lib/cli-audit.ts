// Fixes and undos run from the CLI go into the same audit trail as the bot's: the command before
// anything changes (so a fix that cannot be audited does not run), then its result and the
// verification. The actor is "cli:<os user>@<machine>". --no-audit runs without, and says so.
import { hostname, userInfo } from 'node:os';
import type { Config } from '../../config/schema.ts';
import { AuditLog, type AuditInput } from '../../state/audit/index.ts';
import { connectRedis } from '../../state/connect.ts';
import { DEFAULT_REDIS_URL, redactRedisUrl } from '../../state/redis.ts';
import { errorText } from '../../lib/error-text.ts';
import { diagnosisJson } from '../../rdp/format.ts';
import type { Diagnosis } from '../../rdp/types.ts';
import { err } from './cli-io.ts';

export interface CliAudit {
  record(entry: Omit<AuditInput, 'actor' | 'actorName'>): Promise<void>;
  close(): Promise<void>;
}

/** "cli:alice@ops-laptop": the actor of what a person ran from this machine. */
export function cliActor(): { actor: string; actorName: string } {
  let user = process.env['USER'] ?? 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (a container's arbitrary uid): keep $USER
  }
  const clean = (s: string): string => s.replace(/[^\w.@-]/g, '_').slice(0, 60) || 'unknown';
  return { actor: `cli:${clean(user)}@${clean(hostname())}`, actorName: `${clean(user)} (CLI on ${clean(hostname())})` };
}

/** The audit trail of the configured Redis, or (--no-audit) a note on stderr and nothing else. */
export async function openCliAudit(config: Config, enabled: boolean): Promise<CliAudit> {
  if (!enabled) {
    err('--no-audit: this change is NOT recorded in the audit trail');
    return { record: async () => undefined, close: async () => undefined };
  }
  const redis = await connectRedis(config.redis, 'rdp-medic:cli', undefined, { maxConnectAttempts: 3, connectTimeoutMs: 5_000 });
  const audit = new AuditLog(redis, { prefix: config.redis.prefix });
  const actor = cliActor();
  const where = config.redis.sentinels ? `sentinel master "${config.redis.name ?? 'mymaster'}"` : redactRedisUrl(process.env['REDIS_URL'] || config.redis.url || DEFAULT_REDIS_URL);
  return {
    record: async (entry) => {
      try {
        await audit.append({ ...entry, ...actor } as AuditInput);
      } catch (e) {
        throw new Error(`cannot write the audit trail at ${where}: ${errorText(e)}. Changes made from the CLI are audited: start Redis (or fix redis in the config), or pass --no-audit to run without a record`);
      }
    },
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The result and the verification of a change already made (and already printed): a trail that
 * cannot take them is said on stderr and makes the exit code a failure, but changes nothing more.
 */
export async function recordOutcome(audit: CliAudit, host: string, result: Record<string, unknown>, verified: boolean, after: Diagnosis | null): Promise<boolean> {
  try {
    await audit.record({ kind: 'result', host, data: { ...result, via: 'cli' } });
    await audit.record({ kind: 'verification', host, data: { verified, after: after ? diagnosisJson(after) : null, via: 'cli' } });
    return true;
  } catch (e) {
    err(`the change was made, but its result is not in the audit trail: ${errorText(e)}`);
    return false;
  }
}
