// The whole product on loopback for end-to-end tests: a real redis-server, the lab (WS-Man + RDP
// listeners), N worker instances and a bot with the given chat adapters, all in this process.
import type { ChatAdapter } from '../../src/chat/adapter.ts';
import { startBot, type RunningBot } from '../../src/processes/bot.ts';
import { Config } from '../../src/config/schema.ts';
import { whenSettled } from '../../src/state/settled.ts';
import { startLab, type Lab, type LabHostSpec } from '../../src/lab/lab.ts';
import { labConfig } from '../../src/lab/lab-config.ts';
import { silentLogger } from '../../src/log.ts';
import { startWorkers, type RunningWorkers } from '../../src/processes/worker.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';

export interface StackOptions {
  hosts?: LabHostSpec[];
  workers?: number;
  /** Merged over the lab config (policy, workers, bot settings...). */
  config?: Record<string, unknown>;
  appendonly?: boolean;
  /** With appendonly: fsync on every write (default) or once a second. */
  appendfsync?: 'always' | 'everysec';
  /** redis.prefix (default: rdp-medic). */
  prefix?: string;
  /** Start the bot (false: tests that drive the bot process themselves). Default true. */
  bot?: boolean;
}

export interface Stack {
  redis: RedisServer;
  lab: Lab;
  config: Config;
  bot: RunningBot | null;
  workers: RunningWorkers[];
  /** Resolves when no job is waiting, active or delayed. */
  settled(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_HOSTS = [
  { name: 'work-pc', scenarios: ['cert-expired'] },
  { name: 'db-01', scenarios: ['termservice-stopped'] },
  { name: 'build-01', scenarios: ['healthy'] },
];

export async function startStack(adapters: ChatAdapter[], opts: StackOptions = {}): Promise<Stack> {
  const redis = await startRedisServer({ appendonly: opts.appendonly ?? false, ...(opts.appendfsync ? { appendfsync: opts.appendfsync } : {}) });
  const lab = await startLab({ hosts: opts.hosts ?? DEFAULT_HOSTS });
  const base = labConfig(lab);
  const config = Config.parse({
    ...base,
    // The stack's Redis persists only when a test asks for AOF (redis-checks.ts refuses it otherwise).
    redis: { url: redis.url, requirePersistence: opts.appendonly ?? false, ...(opts.prefix ? { prefix: opts.prefix } : {}) },
    workers: { lockDurationMs: 2_000, stalledIntervalMs: 1_000, diagnoseConcurrency: 20 },
    bot: { expirySweepMs: 200, summaryIntervalMs: 200 },
    ...opts.config,
  });
  const workers: RunningWorkers[] = [];
  for (let i = 0; i < (opts.workers ?? 1); i++) workers.push(await startWorkers(config, silentLogger));
  const bot = opts.bot === false ? null : await startBot(config, adapters, silentLogger);
  return {
    redis,
    lab,
    config,
    bot,
    workers,
    settled: async (timeoutMs = 30_000) => {
      const queues = bot?.queues ?? workers[0]!.queues;
      if (!(await whenSettled(queues, { timeoutMs }))) throw new Error(`jobs still running after ${timeoutMs} ms`);
    },
    close: async () => {
      await bot?.close();
      await Promise.all(workers.map((w) => w.close()));
      await lab.close();
      await redis.stop();
    },
  };
}
