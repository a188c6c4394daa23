// A fake Discord on 127.0.0.1 (port 0): REST v10 under /api/v10 and the gateway under /gateway, one
// HTTP server. Every REST call is recorded (method, route, auth header, body, arrival time) and can
// be awaited by predicate; failures (429 with rate-limit headers, 500, Discord error codes) can be
// injected per route, a storm answers every matching call 429 for a span of time (`ended` resolves
// when it is over), and a lost answer carries a call out, then drops the connection before the
// answer. close() terminates sockets so no handle is left; close it AFTER the client.
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeGateway, type GatewayEvent } from './gateway.ts';
import { RateLimiter, type RateLimitTable } from './rate-limits.ts';
import { FILES, newWorld, route, type FakeWorld, type RestReply, type StoredInteraction, type UploadedFile } from './rest.ts';

export interface RestCall {
  n: number;
  method: string;
  /** Path after /api/v10, percent-decoded ("/webhooks/1/tok/messages/@original"). */
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  body: unknown;
  /** performance.now() when the request arrived. */
  at: number;
  status?: number;
  response?: unknown;
  /** Carried out, but the connection was dropped before the answer (loseAnswers). */
  answerLost?: boolean;
}

/** A span of time in which Discord answers every matching call 429. */
export interface Storm {
  /** Resolves when the storm is over. */
  ended: Promise<void>;
  /** performance.now() when it ends. */
  endsAt: number;
  rejected: number;
}

export interface Failure {
  match: (call: RestCall) => boolean;
  reply: RestReply;
  /** How many matching calls fail (default 1). */
  times?: number;
}

export interface FakeDiscordOptions {
  token?: string;
  /** Gateway heartbeat interval (Discord's is 41250 ms; zombie tests use a short one). */
  heartbeatIntervalMs?: number;
  /** Enforce Discord's rate limits (rate-limits.ts: DISCORD_RATE_LIMITS is the published model). */
  rateLimits?: RateLimitTable;
}

export const FAKE_TOKEN = 'fake.bot.token-secret';

export class FakeDiscord extends EventEmitter {
  readonly calls: RestCall[] = [];
  readonly gateway: FakeGateway;
  readonly world: FakeWorld;
  private readonly failures: Required<Failure>[] = [];
  private readonly storms: (Storm & { match: (c: RestCall) => boolean; reply: RestReply; timer: NodeJS.Timeout; end: () => void })[] = [];
  private readonly losing: { match: (c: RestCall) => boolean; times: number }[] = [];
  private port = 0;
  /** Counts requests per bucket and globally when the fake enforces rate limits (else null). */
  readonly limiter: RateLimiter | null;

  private constructor(
    private readonly server: http.Server,
    opts: FakeDiscordOptions,
  ) {
    super();
    // Every waitForCall is a listener; a burst of 50 interactions awaits 50 calls at once.
    this.setMaxListeners(0);
    this.limiter = opts.rateLimits ? new RateLimiter(opts.rateLimits) : null;
    this.gateway = new FakeGateway({ heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250, sendGuild: true });
    this.world = newWorld(opts.token ?? FAKE_TOKEN, () => this.gateway.url, (thread) => {
      try {
        this.gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
      } catch {
        // no gateway connection: REST-only tests
      }
    });
  }

  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const server = http.createServer();
    const fake = new FakeDiscord(server, opts);
    server.on('request', (req, res) => fake.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/gateway')) return socket.destroy();
      fake.gateway.wss.handleUpgrade(req, socket, head, (ws) => fake.gateway.wss.emit('connection', ws, req));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    fake.port = (server.address() as AddressInfo).port;
    fake.gateway.url = `ws://127.0.0.1:${fake.port}/gateway`;
    return fake;
  }

  /** The `rest.api` / DISCORD_API_URL value: no trailing slash, no version. */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get token(): string {
    return this.world.token;
  }

  fail(f: Failure): void {
    this.failures.push({ times: 1, ...f });
  }

  /**
   * From now for `forMs`, every call `match` accepts (default: anything that writes a message,
   * interaction callbacks excepted) is answered 429 with retry_after `retryAfterSec`.
   */
  storm(opts: { forMs: number; retryAfterSec: number; match?: (c: RestCall) => boolean }): Storm {
    let end = (): void => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const rule = {
      ended,
      endsAt: performance.now() + opts.forMs,
      rejected: 0,
      match: opts.match ?? ((c: RestCall) => c.method !== 'GET' && !c.path.endsWith('/callback')),
      reply: rateLimited(opts.retryAfterSec),
      end,
      timer: setTimeout(() => {
        this.storms.splice(this.storms.indexOf(rule), 1);
        end();
      }, opts.forMs),
    };
    this.storms.push(rule);
    return rule;
  }

  /** The next `times` calls `match` accepts are carried out, then the connection drops before the answer. */
  loseAnswers(match: (c: RestCall) => boolean, times = 1): void {
    this.losing.push({ match, times });
  }

  /** Sends INTERACTION_CREATE and remembers when, for acknowledgement timing. */
  sendInteraction(payload: Record<string, unknown>): StoredInteraction {
    const stored: StoredInteraction = {
      id: String(payload.id),
      token: String(payload.token),
      type: Number(payload.type),
      channelId: String((payload.channel as { id?: string } | undefined)?.id ?? payload.channel_id),
      payload,
      sentAt: performance.now(),
    };
    this.world.interactions.set(stored.id, stored);
    this.gateway.dispatch('INTERACTION_CREATE', payload);
    return stored;
  }

  /** Makes an interaction's token dead (as after 15 minutes): callbacks 10062, webhooks 10015. */
  expireInteraction(id: string): void {
    const i = this.world.interactions.get(id);
    if (i) i.expired = true;
  }

  /** Milliseconds from INTERACTION_CREATE sent to its callback received, or null if none yet. */
  ackDelayMs(interactionId: string): number | null {
    const i = this.world.interactions.get(interactionId);
    return i?.callback ? i.callback.at - i.sentAt : null;
  }

  /** The first call (already made or still to come, after index `since`) matching `pred`. */
  waitForCall(pred: (c: RestCall) => boolean, opts: { timeoutMs?: number; since?: number } = {}): Promise<RestCall> {
    const done = this.calls.slice(opts.since ?? 0).find((c) => c.status !== undefined && pred(c));
    if (done) return Promise.resolve(done);
    return waitForEvent<RestCall>(this, 'call', pred, opts.timeoutMs ?? 5_000, 'REST call');
  }

  waitForFrame(pred: (e: GatewayEvent) => boolean, opts: { timeoutMs?: number } = {}): Promise<GatewayEvent> {
    const done = this.gateway.log.find(pred);
    if (done) return Promise.resolve(done);
    return waitForEvent<GatewayEvent>(this.gateway, 'frame', pred, opts.timeoutMs ?? 5_000, 'gateway frame');
  }

  callsTo(method: string, pattern: RegExp): RestCall[] {
    return this.calls.filter((c) => c.method === method && pattern.test(c.path));
  }

  async close(): Promise<void> {
    for (const st of this.storms.splice(0)) {
      clearTimeout(st.timer);
      st.end();
    }
    this.gateway.closeAll();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const at = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const type = String(req.headers['content-type'] ?? '');
      // JSON at once, as before (the order calls arrive in stays the order they are handled); a
      // multipart body is parsed first (async), then handled the same way.
      if (!type.startsWith('multipart/form-data')) return this.onBody(req, res, jsonBody(raw), at);
      multipartBody(raw, type).then(
        (body) => this.onBody(req, res, body, at),
        () => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'Invalid Form Body', code: 50035 })),
      );
    });
  }

  private onBody(req: http.IncomingMessage, res: http.ServerResponse, body: unknown, at: number): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const path = decodeURIComponent(url.pathname).replace(/^\/api\/v10/, '');
    const call: RestCall = { n: this.calls.length, method: req.method ?? 'GET', path, query: url.searchParams, authorization: req.headers.authorization, body, at };
    this.calls.push(call);
    const failure = this.failures.find((f) => f.times > 0 && f.match(call));
    const storm = this.storms.find((st) => st.match(call));
    const lose = this.losing.find((l) => l.times > 0 && l.match(call));
    let reply: RestReply;
    const limit = url.pathname.startsWith('/api/v10/') ? this.limiter?.admit(call) : undefined;
    if (limit && 'reject' in limit) {
      reply = limit.reject;
    } else if (storm) {
      storm.rejected++;
      reply = storm.reply;
    } else if (lose && url.pathname.startsWith('/api/v10/')) {
      lose.times--;
      const done = route(this.world, call.method, path, url.searchParams, call.authorization, body);
      call.status = done.status;
      call.response = done.body;
      call.answerLost = true;
      res.socket?.destroy();
      this.emit('call', call);
      return;
    } else if (failure) {
      failure.times--;
      reply = failure.reply;
    } else if (!url.pathname.startsWith('/api/v10/')) {
      reply = { status: 404, body: { message: '404: Not Found', code: 0 } };
    } else {
      reply = route(this.world, call.method, path, url.searchParams, call.authorization, body);
    }
    call.status = reply.status;
    call.response = reply.body;
    const headers: Record<string, string> = { ...(limit && 'headers' in limit ? limit.headers : {}), ...(reply.headers ?? {}) };
    if (reply.body !== undefined) headers['content-type'] = 'application/json';
    res.writeHead(reply.status, headers);
    res.end(reply.body !== undefined ? JSON.stringify(reply.body) : undefined);
    this.emit('call', call);
  }
}

function waitForEvent<T>(emitter: EventEmitter, event: string, pred: (x: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onEvent = (x: T): void => {
      if (!pred(x)) return;
      clearTimeout(timer);
      emitter.off(event, onEvent);
      resolve(x);
    };
    const timer = setTimeout(() => {
      emitter.off(event, onEvent);
      reject(new Error(`fake Discord: no matching ${what} within ${timeoutMs} ms`));
    }, timeoutMs);
    emitter.on(event, onEvent);
  });
}

/** A 429 as Discord sends it: JSON retry_after (seconds) and the X-RateLimit headers. */
export function rateLimited(retryAfterSeconds: number, opts: { global?: boolean; bucket?: string } = {}): RestReply {
  return {
    status: 429,
    body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: opts.global ?? false, code: 0 },
    headers: {
      'retry-after': String(retryAfterSeconds),
      'x-ratelimit-limit': '5',
      'x-ratelimit-remaining': '0',
      'x-ratelimit-reset-after': String(retryAfterSeconds),
      'x-ratelimit-bucket': opts.bucket ?? 'fake-bucket',
      'x-ratelimit-scope': 'user',
      ...(opts.global ? { 'x-ratelimit-global': 'true' } : {}),
    },
  };
}

export const serverError = (): RestReply => ({ status: 500, body: { message: '500: Internal Server Error', code: 0 } });
export const discordError = (status: number, code: number, message: string): RestReply => ({ status, body: { message, code } });

function jsonBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/**
 * A multipart body (a message with files, as discord.js sends it): the JSON in payload_json, each
 * file part (files[N]) as an entry of the body's FILES (name, content type, bytes), which the routes
 * keep on the message as its attachments.
 */
async function multipartBody(raw: Buffer, type: string): Promise<unknown> {
  const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
  const payload = form.get('payload_json');
  const body = (typeof payload === 'string' ? JSON.parse(payload) : {}) as Record<string, unknown>;
  const files: UploadedFile[] = [];
  for (const [field, value] of form.entries()) {
    const n = /^files\[(\d+)\]$/.exec(field);
    if (n && value instanceof Blob) files.push({ index: Number(n[1]), name: (value as File).name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  return { ...body, [FILES]: files };
}
