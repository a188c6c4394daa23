// One fake Discord + one real discord.js client through the adapter, for the integration tests.
// Inbound events are collected and can be awaited; unhandled rejections fail the test instead of
// crashing or hanging it. Teardown order matters: adapter.stop() (client.destroy) before fake.close().
import { EventEmitter } from 'node:events';
import type { ChatAdapter } from '../../../src/chat/adapter.ts';
import type { ChatUser, Inbound } from '../../../src/chat/model.ts';
import { createDiscordAdapter, type DiscordAdapterOptions } from '../../../src/adapters/discord/adapter.ts';
import { loadDiscordSettings } from '../../../src/adapters/discord/settings.ts';
import { FakeDiscord, IDS, type FakeDiscordOptions } from '../../fakes/discord/index.ts';

export const INVENTORY = { names: ['work-pc', 'work-laptop', 'db-01', 'build-agent'], groups: ['lab', 'office'], tags: ['cert', 'win11'] };
export const FIX_IDS = ['cert-regenerate', 'enable-rdp', 'restart-termservice', 'reset-rdp-port'];

export interface Harness {
  fake: FakeDiscord;
  adapter: ChatAdapter;
  inbound: Inbound[];
  /** Unhandled rejections seen while the harness ran (a test asserts there are none). */
  rejections: unknown[];
  /** Resolves when the bot's handler for the n-th (1-based) event resolved. */
  waitForInbound(n: number, timeoutMs?: number): Promise<Inbound>;
  close(): Promise<void>;
}

export interface HarnessOptions extends FakeDiscordOptions {
  /** The bot's handler: runs after the adapter acknowledged (default: records and resolves). */
  onInbound?: (e: Inbound) => Promise<void>;
  oncallRoleId?: string;
  logLines?: string[];
  /** What autocomplete offers a user (default: the whole test inventory to everyone). */
  inventory?: (user: ChatUser) => typeof INVENTORY;
  /** More adapter options (a clock, the press-twice window). */
  adapter?: Partial<DiscordAdapterOptions>;
}

export async function startHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const rejections: unknown[] = [];
  const onRejection = (e: unknown): void => void rejections.push(e);
  process.on('unhandledRejection', onRejection);
  const fake = await FakeDiscord.start(opts);
  const settings = loadDiscordSettings(
    { token: fake.token, applicationId: IDS.application, apiUrl: fake.apiUrl, requestTimeoutMs: 3_000, ...(opts.oncallRoleId ? { oncallRoleId: opts.oncallRoleId } : {}) },
    {},
  );
  const inbound: Inbound[] = [];
  const events = new EventEmitter();
  const { pino } = await import('pino');
  const lines = opts.logLines;
  const logger = lines ? pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }) : undefined;
  const adapter = createDiscordAdapter(settings, { inventory: opts.inventory ?? (() => INVENTORY), fixIds: FIX_IDS, ...(logger ? { logger } : {}), ...opts.adapter });
  await adapter.start(async (e) => {
    await opts.onInbound?.(e);
    inbound.push(e);
    events.emit('inbound', inbound.length);
  });
  return {
    fake,
    adapter,
    inbound,
    rejections,
    waitForInbound(n, timeoutMs = 5_000) {
      if (inbound.length >= n) return Promise.resolve(inbound[n - 1]!);
      return new Promise((resolve, reject) => {
        const on = (count: number): void => {
          if (count < n) return;
          clearTimeout(timer);
          events.off('inbound', on);
          resolve(inbound[n - 1]!);
        };
        const timer = setTimeout(() => {
          events.off('inbound', on);
          reject(new Error(`no inbound event #${n} within ${timeoutMs} ms (have ${inbound.length})`));
        }, timeoutMs);
        events.on('inbound', on);
      });
    },
    async close() {
      await adapter.stop();
      await fake.close();
      process.off('unhandledRejection', onRejection);
    },
  };
}
