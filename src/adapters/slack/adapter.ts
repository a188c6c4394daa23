// Slack behind the ChatAdapter interface, on @slack/bolt: Socket Mode by default, signed HTTP
// requests as an option. Every command, mention and click is acknowledged first, then validated and
// handed to the bot; answers go out through our own Web API client (no retries of its own: the
// deliver queue retries, honouring Slack's Retry-After). In HTTP mode Bolt refuses a request signed
// more than 5 minutes ago; one dated further in the future than a small clock skew is refused here
// (Bolt accepts it), and the bot acts on a replay of an accepted one once (its trigger_id/event_id).
import { withTimeout } from '../../lib/with-timeout.ts';
import type { AddressInfo } from 'node:net';
import type { IncomingMessage, RequestListener, Server } from 'node:http';
import { App, HTTPReceiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { ChatAdapter, InboundHandler, PostedMessage, PostOptions } from '../../chat/adapter.ts';
import type { Card, ChatUser, ConversationRef } from '../../chat/model.ts';
import { registerListeners } from './listeners.ts';
import type { SlackPlaces } from './inbound.ts';
import { type AdapterLogger, makeRedactor, silent, slackLogger } from './logger.ts';
import { SlackOutbound } from './outbound.ts';
import type { SlackSettings } from './settings.ts';
import { UserGroupResolver } from './user-groups.ts';
import { UserNames } from './user-names.ts';

export { SLASH_COMMAND } from './listeners.ts';

/** How far ahead of our clock a signed request's timestamp may be (clocks drift; replays need the future). */
export const MAX_FUTURE_SKEW_S = 60;

/** Seconds a request's x-slack-request-timestamp lies ahead of `nowMs`, or null without a numeric one. */
export function secondsAhead(req: Pick<IncomingMessage, 'headers'>, nowMs: number): number | null {
  const raw = req.headers['x-slack-request-timestamp'];
  const ts = typeof raw === 'string' && /^\d{1,12}$/.test(raw) ? Number(raw) : null;
  return ts === null ? null : ts - Math.floor(nowMs / 1000);
}

export interface SlackAdapterOptions {
  logger?: AdapterLogger;
  /** HTTP mode: the address to listen on (default: all interfaces). */
  host?: string;
  /** How long start() may take (auth.test, then the Socket Mode hello or the HTTP listen); default 30 s. */
  startTimeoutMs?: number;
  /** Timeout of each Web API request; default 10 s. */
  apiTimeoutMs?: number;
  /** How long a usergroups.list answer is reused; default 60 s. */
  groupsCacheMs?: number;
  /** Clock for receivedAt (tests). */
  now?: () => Date;
}

export interface SlackAdapter extends ChatAdapter {
  readonly platform: 'slack';
  /** HTTP mode, once started: the Request URL Slack posts to (…/slack/events); otherwise null. */
  readonly eventsUrl: string | null;
  /** The bot's own user id, from auth.test at start; null before. */
  readonly botUserId: string | null;
}

interface Running {
  app: App;
  receiver: SocketModeReceiver | HTTPReceiver;
  server: Server | null;
}

export function createSlackAdapter(settings: SlackSettings, opts: SlackAdapterOptions = {}): SlackAdapter {
  const log = opts.logger ?? silent;
  const redact = makeRedactor([settings.botToken, settings.appToken, settings.signingSecret]);
  const libLog = slackLogger(log, redact);
  const apiTimeoutMs = opts.apiTimeoutMs ?? 10_000;
  const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
  const now = opts.now ?? (() => new Date());
  // retries: 0 because the deliver queue retries; rejectRateLimitedCalls so a 429 surfaces as an error with Retry-After.
  const clientOptions = (): webApi.WebClientOptions => ({
    slackApiUrl: settings.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: apiTimeoutMs,
    logger: libLog,
  });
  const client = new webApi.WebClient(settings.botToken, clientOptions());
  const outbound = new SlackOutbound(client, { oncallGroupId: settings.oncallGroupId, redact, log });
  const groups = new UserGroupResolver((args) => client.usergroups.list(args), { logger: log, cacheMs: opts.groupsCacheMs, timeoutMs: apiTimeoutMs });
  const names = new UserNames((args) => client.users.info(args), { timeoutMs: apiTimeoutMs });
  let running: Running | null = null;
  let starting: Promise<void> | null = null;
  let eventsUrl: string | null = null;
  let botUserId: string | null = null;

  const receivedAt = (): string => now().toISOString();

  // Events acknowledged but not yet handed over; stop() lets them finish so none is lost.
  const pending = new Set<Promise<void>>();

  function track(p: Promise<void>): Promise<void> {
    pending.add(p);
    return p.finally(() => pending.delete(p));
  }

  async function authTest(): Promise<{ userId: string; botId: string; teams: string[] }> {
    try {
      const res = await client.auth.test();
      if (!res.user_id || !res.bot_id) throw new Error('auth.test did not return user_id and bot_id (is this a bot token?)');
      // The token's own workspace (and Enterprise Grid organization): the default allow-list.
      const teams = [res.team_id, res.enterprise_id].filter((t): t is string => typeof t === 'string' && t.length > 0);
      return { userId: res.user_id, botId: res.bot_id, teams };
    } catch (e) {
      const code = e instanceof webApi.WebAPIPlatformError ? String(e.data.error) : (e as Error).message;
      throw new Error(redact(`Slack rejected the bot token or could not be reached (auth.test: ${code}); check slack.botToken / SLACK_BOT_TOKEN and slack.apiUrl`));
    }
  }

  async function doStart(onInbound: InboundHandler): Promise<void> {
    const auth = await withTimeout(authTest(), startTimeoutMs, 'Slack auth.test');
    botUserId = auth.userId;
    const receiver =
      settings.mode === 'socket'
        ? new SocketModeReceiver({
            appToken: settings.appToken ?? '',
            // The Socket Mode client mutates the options it gets, so it gets its own copy.
            installerOptions: { clientOptions: clientOptions() },
            logger: libLog,
          })
        : new HTTPReceiver({ signingSecret: settings.signingSecret ?? '', logger: libLog, processBeforeResponse: false });
    // botId and botUserId from our own auth.test: Bolt then never calls auth.test itself, whose
    // rejected promise would otherwise surface as an unhandled rejection.
    const app = new App({ token: settings.botToken, receiver, botId: auth.botId, botUserId: auth.userId, clientOptions: clientOptions(), logger: libLog });
    const places: SlackPlaces = { teams: settings.allowedTeams ?? auth.teams, channels: settings.allowedChannels ?? null };
    registerListeners(app, { onInbound, groups, names, log, redact, botUserId: auth.userId, places, receivedAt, track });
    if (receiver instanceof HTTPReceiver) receiver.requestListener = refuseFutureRequests(receiver.requestListener);
    if (receiver instanceof SocketModeReceiver) {
      try {
        await withTimeout(receiver.start(), startTimeoutMs, 'Slack Socket Mode connection');
      } catch (e) {
        await receiver.client.disconnect().catch(() => {});
        throw new Error(redact(`Slack Socket Mode did not connect: ${(e as Error).message}; check slack.appToken / SLACK_APP_TOKEN (xapp-…, scope connections:write)`));
      }
      running = { app, receiver, server: null };
      log.info({ mode: 'socket', botUserId }, 'slack: connected (Socket Mode)');
      return;
    }
    let server: Server;
    try {
      server = (await receiver.start({ port: settings.port, host: opts.host })) as Server;
    } catch (e) {
      throw new Error(`Slack HTTP mode could not listen on port ${settings.port} (slack.port / SLACK_PORT): ${(e as Error).message}`);
    }
    const { port } = server.address() as AddressInfo;
    const shown = !opts.host || opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
    eventsUrl = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/slack/events`;
    running = { app, receiver, server };
    log.info({ mode: 'http', port, botUserId }, 'slack: listening for signed requests on /slack/events');
  }

  /** In front of Bolt: a request dated beyond the skew is refused (401) before its body is read. */
  function refuseFutureRequests(bolt: RequestListener): RequestListener {
    return (req, res) => {
      const ahead = secondsAhead(req, now().getTime());
      if (ahead !== null && ahead > MAX_FUTURE_SKEW_S) {
        log.warn({ secondsAhead: ahead }, `slack: refused a request dated ${ahead} s in the future (more than ${MAX_FUTURE_SKEW_S} s ahead: a replay or a wrong clock)`);
        res.writeHead(401).end();
        return;
      }
      return bolt(req, res);
    };
  }

  async function doStop(r: Running): Promise<void> {
    if (r.receiver instanceof SocketModeReceiver) {
      // app.stop() does not wait for the socket to close; disconnect() does (chat-fakes.md §2.3).
      await withTimeout(r.receiver.client.disconnect(), 5_000, 'Slack Socket Mode disconnect').catch((e: Error) =>
        log.warn({ err: e.message }, 'slack: Socket Mode did not close cleanly'),
      );
      return;
    }
    const closed = r.receiver.stop();
    // Idle keep-alive connections would hold close() open; busy ones get a moment to finish.
    r.server?.closeIdleConnections();
    const grace = setTimeout(() => r.server?.closeAllConnections(), 2_000);
    try {
      await closed;
    } catch (e) {
      log.warn({ err: (e as Error).message }, 'slack: HTTP receiver did not stop cleanly');
    } finally {
      clearTimeout(grace);
    }
  }

  return {
    platform: 'slack',
    get eventsUrl() {
      return eventsUrl;
    },
    get botUserId() {
      return botUserId;
    },
    async start(onInbound: InboundHandler): Promise<void> {
      if (running) return;
      starting ??= doStart(onInbound).finally(() => {
        starting = null;
      });
      return starting;
    },
    async stop(): Promise<void> {
      if (starting) await starting.catch(() => {});
      const r = running;
      running = null;
      eventsUrl = null;
      if (r) await doStop(r);
      // No new events now; let the acknowledged ones reach the bot (bounded, the bot may hang).
      if (pending.size) await withTimeout(Promise.allSettled([...pending]), 10_000, 'handing over acknowledged events').catch((e: Error) => log.warn({ err: e.message }, 'slack: stopped with events still being handled'));
    },
    postRoot: (where: ConversationRef, card: Card, key: string, opts?: PostOptions): Promise<PostedMessage> => outbound.postRoot(where, card, key, opts),
    postReply: (where: ConversationRef, card: Card, key: string, opts?: PostOptions): Promise<PostedMessage> => outbound.postReply(where, card, key, opts),
    updateMessage: (where: ConversationRef, messageId: string, card: Card): Promise<void> => outbound.updateMessage(where, messageId, card),
    postEphemeral: (where: ConversationRef, user: ChatUser, card: Card): Promise<void> => outbound.postEphemeral(where, user, card),
  };
}
