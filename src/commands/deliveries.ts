// rdp-medic deliveries [list] | deliveries redrive ID... | --all: the chat messages the bot gave up
// delivering (the dead-letter list, state/dead-letters.ts) and putting them back on the deliver
// queue once the platform or the bot's permissions are fixed. A running bot delivers them; what
// already went out is skipped (receipts), so a re-drive never posts a message twice.
import type { Command } from 'commander';
import type { Config } from '../config/schema.ts';
import { DeadLetters, redrive, type DeadLetter } from '../state/dead-letters.ts';
import { openQueues } from '../state/queues.ts';
import { createRedis, redactRedisUrl, redisOptions, type Redis } from '../state/redis.ts';
import { EXIT, err, out, readConfigOption, runCommand, UsageError } from './lib/cli-io.ts';

/** A one-shot connection: a few tries, then a clear error (a bot's connection retries forever). */
function openRedis(config: Config): { redis: Redis; shown: string } {
  const url = process.env['REDIS_URL'] || config.redis.url;
  const opts = {
    ...(url ? { url } : {}),
    ...(config.redis.sentinels ? { sentinels: config.redis.sentinels } : {}),
    ...(config.redis.name ? { name: config.redis.name } : {}),
    connectionName: 'rdp-medic:deliveries',
    maxConnectAttempts: 3,
  };
  return { redis: createRedis(opts), shown: redactRedisUrl(redisOptions(opts).url) };
}

async function withLetters<T>(configFile: string | undefined, body: (letters: DeadLetters, redis: Redis, config: Config) => Promise<T>): Promise<T> {
  const config = readConfigOption(configFile);
  const { redis, shown } = openRedis(config);
  try {
    // Entries another version wrote are left alone, and said so.
    const report = (r: { key: string; problem: string }): void => err(`skipped ${r.key}: ${r.problem}; the rdp-medic version that wrote it can list and re-drive it`);
    return await body(new DeadLetters(redis, config.redis.prefix, { report }), redis, config);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new Error(`cannot read the dead-letter list in ${shown}: ${(e as Error).message}`);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

export function describeLetter(l: DeadLetter): string {
  const took = l.failingSince ? ` after ${Math.round((Date.parse(l.failedAt) - Date.parse(l.failingSince)) / 1000)} s of retries` : '';
  return [`${l.id}  ${l.platform}  ${l.conversationId}  messages: ${l.keys.join(', ')}`, `  given up at ${l.failedAt}${took} (${l.attempts} attempts): ${l.reason}`].join('\n');
}

export function register(program: Command): void {
  const deliveries = program.command('deliveries').description('Chat messages the bot could not deliver (the dead-letter list), and re-driving them');
  deliveries
    .command('list', { isDefault: true })
    .description('List undelivered messages, oldest first')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--json', 'one JSON object a line')
    .action((flags: { config?: string; json?: boolean }) =>
      runCommand(async () => {
        const letters = await withLetters(flags.config, (l) => l.list());
        if (flags.json) {
          for (const l of letters) out(JSON.stringify(l));
          return EXIT.ok;
        }
        if (!letters.length) {
          out('No undelivered messages.');
          return EXIT.ok;
        }
        out(`${letters.length} undelivered message${letters.length === 1 ? '' : 's'} (oldest first):`);
        for (const l of letters) out(describeLetter(l));
        out('Fix the cause (see each reason), then: rdp-medic deliveries redrive ID ... (or --all). A running bot delivers them.');
        return EXIT.ok;
      }),
    );
  deliveries
    .command('redrive')
    .description('Put undelivered messages back on the deliver queue (a running bot delivers them; nothing is posted twice)')
    .argument('[ids...]', 'dead-letter ids, as `rdp-medic deliveries list` shows them')
    .option('--all', 'every undelivered message, oldest first')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .action((ids: string[], flags: { config?: string; all?: boolean }) =>
      runCommand(async () => {
        if (flags.all && ids.length) throw new UsageError('give dead-letter ids or --all, not both');
        if (!flags.all && !ids.length) throw new UsageError('name the messages to re-drive (ids from `rdp-medic deliveries list`) or pass --all');
        return withLetters(flags.config, async (letters, redis, config) => {
          const chosen = flags.all ? (await letters.list()).map((l) => l.id) : ids;
          // All or nothing: an id that is not listed changes nothing.
          const missing = [];
          for (const id of chosen) if (!(await letters.get(id))) missing.push(id);
          if (missing.length) throw new UsageError(`no undelivered message ${missing.join(', ')} (already re-driven or expired?); \`rdp-medic deliveries list\` shows them; nothing was re-driven`);
          if (!chosen.length) {
            out('No undelivered messages.');
            return EXIT.ok;
          }
          const queues = openQueues(redis, { prefix: config.redis.prefix, diagnoseAttempts: config.workers.diagnoseAttempts });
          try {
            for (const id of chosen) {
              const done = await redrive(queues, letters, id);
              if (done) out(`re-driven ${id} (${done.letter.platform}, ${done.letter.conversationId}: ${done.letter.keys.join(', ')}) as job ${done.jobId}`);
              else out(`${id}: already re-driven meanwhile`);
            }
          } finally {
            await queues.close();
          }
          return EXIT.ok;
        });
      }),
    );
}
