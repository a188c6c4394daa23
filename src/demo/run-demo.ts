// `npm run demo`: the product on its embedded default. A throwaway redis-server (or REDIS_URL), the
// lab with a few broken Windows hosts, a worker and the bot with the console chat, all in this
// process; everything it starts stops when the chat ends (end of input, /quit, Ctrl-C). Ctrl-C (or
// SIGTERM) is answered at once, during start-up too: it says it is stopping, then stops what started.
import { randomBytes } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { ConsoleAdapter } from '../adapters/console/adapter.ts';
import { startBot } from '../processes/bot.ts';
import { Config } from '../config/schema.ts';
import { whenSettled } from '../state/settled.ts';
import { startLab } from '../lab/lab.ts';
import { labConfig } from '../lab/lab-config.ts';
import { createLogger } from '../log.ts';
import { startWorkers } from '../processes/worker.ts';
import { ensureRedisServer } from './install-redis.ts';
import { startRedisServer, type RedisServer } from './local-redis.ts';
import { WALKTHROUGH, walkthroughText } from './walkthrough.ts';

export const DEMO_HOSTS = [
  { name: 'work-pc', scenarios: ['cert-expired'] },
  { name: 'db-01', scenarios: ['termservice-stopped'] },
  { name: 'web-01', scenarios: ['firewall-blocked'] },
  { name: 'build-01', scenarios: ['healthy'] },
  // Cut off: neither WinRM nor RDP answers (the 3 a.m. case of a machine that is off or unreachable).
  { name: 'kiosk-07', scenarios: ['healthy'], offline: true },
];

export interface DemoOptions {
  auto?: boolean;
  input?: Readable;
  say?: (line: string) => void;
}

export async function runDemo(opts: DemoOptions = {}): Promise<void> {
  const say = opts.say ?? ((l: string) => process.stdout.write(`${l}\n`));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  let stopping = false;
  const sayStopping = (): void => {
    if (stopping) return;
    stopping = true;
    say('\nStopping the demo (bot, worker, lab, Redis) ...');
  };
  let ended!: () => void;
  const done = new Promise<void>((resolve) => (ended = resolve));
  // From the first moment: a signal during start-up stops what has started so far, not the process
  // mid-way (which would leave redis-server and the lab behind).
  const interrupt = (): void => {
    sayStopping();
    ended();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  try {
    let redisUrl = process.env['REDIS_URL'];
    if (!redisUrl) {
      ensureRedisServer(say);
      const redis: RedisServer = await startRedisServer();
      stops.push(() => redis.stop());
      redisUrl = redis.url;
      say(`Redis: a throwaway redis-server on ${redis.url}`);
    } else say('Redis: REDIS_URL (keys under a demo prefix of their own)');
    if (stopping) return;
    const lab = await startLab({ hosts: DEMO_HOSTS });
    stops.push(() => lab.close());
    if (stopping) return;
    say('Lab: simulated Windows hosts (WinRM + RDP listener each):');
    for (const h of lab.hosts) say(`  ${h.name.padEnd(9)} ${h.scenario}`);
    const base = labConfig(lab);
    const config = Config.parse({
      ...base,
      policy: demoPolicy(base.policy as Record<string, unknown>),
      // A throwaway demo: its Redis need not persist.
      redis: { url: redisUrl, prefix: `demo-${randomBytes(3).toString('hex')}`, requirePersistence: false },
      bot: { expirySweepMs: 5_000, summaryIntervalMs: 500 },
    });
    // Logs would interleave with the chat: only errors, on stderr.
    const logger = createLogger({ level: process.env['LOG_LEVEL'] ?? 'error', name: 'demo' });
    const workers = await startWorkers(config, logger);
    stops.push(() => workers.close());
    if (stopping) return;
    const input = opts.input ?? (opts.auto ? scripted() : process.stdin);
    const chat = new ConsoleAdapter({ input, user: 'alice', whenSettled: async () => void (await whenSettled(workers.queues)), onEnd: () => ended() });
    say(`\n${walkthroughText()}\n\nYou are alice.`);
    const bot = await startBot(config, [chat], logger);
    stops.push(() => bot.close());
    await done;
  } finally {
    sayStopping();
    await stopAll();
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
    say('Stopped.');
  }
}

/**
 * The lab's policy, plus what the walkthrough shows of people and scopes: bob also works as
 * `bob.admin` (one person, so four-eyes still needs someone else), and carol's role covers only the
 * hosts tagged cert-expired or healthy.
 */
function demoPolicy(lab: Record<string, unknown>): Record<string, unknown> {
  const roles = lab['roles'] as Record<string, string[]>;
  return {
    ...lab,
    roles: {
      responder: [...roles['responder']!, 'console:bob.admin'],
      approver: [...roles['approver']!, 'console:bob.admin'],
      'cert-responder': { members: ['console:carol'], scope: ['tag:cert-expired', 'tag:healthy'] },
    },
    people: { bob: ['console:bob', 'console:bob.admin'] },
  };
}

function scripted(): Readable {
  const input = new PassThrough();
  input.end(WALKTHROUGH.map((s) => s.line).join('\n') + '\n');
  return input;
}
