// Shared set-up for the Slack adapter tests: the fake, a real adapter on it in either mode, the
// inbound events it delivers (awaitable), a log capture, and an unhandled-rejection tripwire.
import type { Inbound } from '../../../src/chat/model.ts';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/adapter.ts';
import type { AdapterLogger } from '../../../src/adapters/slack/logger.ts';
import { loadSlackSettings, type SlackMode } from '../../../src/adapters/slack/settings.ts';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, FakeSlack, type FakeSlackOptions } from '../../fakes/slack/index.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';

export interface LogLine {
  level: string;
  obj: object;
  msg: string;
}

export function captureLogger(): { logger: AdapterLogger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: string) => (obj: object, msg: string) => void lines.push({ level, obj, msg });
  return { lines, logger: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') } };
}

/** Inbound events as they arrive, with a way to wait for the next one. */
export class InboundLog {
  readonly events: Inbound[] = [];
  private waiters: { pred: (e: Inbound) => boolean; resolve: (e: Inbound) => void }[] = [];
  /** Replaced by tests that need a slow bot. */
  handler: (e: Inbound) => Promise<void> = async () => {};

  readonly onInbound = async (e: Inbound): Promise<void> => {
    this.events.push(e);
    this.waiters = this.waiters.filter((w) => (w.pred(e) ? (w.resolve(e), false) : true));
    await this.handler(e);
  };

  next(pred: (e: Inbound) => boolean = () => true, timeoutMs = 5_000): Promise<Inbound> {
    const hit = this.events.find(pred);
    if (hit) return Promise.resolve(hit);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching inbound event within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({ pred, resolve: (e) => (clearTimeout(timer), resolve(e)) });
    });
  }
}

export interface Harness {
  fake: FakeSlack;
  adapter: SlackAdapter;
  inbound: InboundLog;
  log: LogLine[];
  close(): Promise<void>;
}

/** The fake, then a started adapter on it; close() stops them in the order that leaves no handles. */
export async function startHarness(mode: SlackMode, fakeOpts: FakeSlackOptions = {}, extra: Record<string, unknown> = {}): Promise<Harness> {
  const fake = await FakeSlack.start(fakeOpts);
  const settings = loadSlackSettings(
    { botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, signingSecret: SIGNING_SECRET, mode, port: 0, apiUrl: fake.apiUrl, ...extra },
    {},
  );
  const { logger, lines } = captureLogger();
  const adapter = createSlackAdapter(settings, { logger, host: '127.0.0.1', apiTimeoutMs: 3_000, startTimeoutMs: 5_000 });
  const inbound = new InboundLog();
  try {
    await adapter.start(inbound.onInbound);
  } catch (e) {
    await adapter.stop();
    await fake.close();
    throw e;
  }
  return {
    fake,
    adapter,
    inbound,
    log: lines,
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

/** Fails the test run on an unhandled rejection instead of letting it crash or pass silently. */
export function trackUnhandledRejections(): { errors: unknown[]; dispose(): void } {
  const errors: unknown[] = [];
  const on = (e: unknown): void => void errors.push(e);
  process.on('unhandledRejection', on);
  return { errors, dispose: () => process.off('unhandledRejection', on) };
}
