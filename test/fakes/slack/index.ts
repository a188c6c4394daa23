// A fake Slack on 127.0.0.1 for the real @slack/bolt (chat-fakes.md §1-2): the Web API
// (POST /api/<method>, form or JSON bodies, Bearer tokens checked, every call recorded), failure
// injection per method, a response_url sink, and the Socket Mode WebSocket at /socket. Two
// delivery troubles on top: a storm (every matching call answered 429 with Retry-After for a span
// of time; `ended` resolves when it is over) and lost answers (the call is carried out, then the
// connection is dropped before the answer, as when a request times out after Slack accepted it).
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSocketMode } from './socket.ts';
import { answer, type FakeSlackFile, type FakeSlackMessage, type FakeUserGroup, type WebApiState } from './web-api.ts';

export { FakeSocketMode, type EnvelopeAck } from './socket.ts';
export type { FakeSlackFile, FakeSlackMessage, FakeUserGroup } from './web-api.ts';

export const FAKE_BOT_TOKEN = 'xoxb-fake-bot-token-0123456789';
export const FAKE_APP_TOKEN = 'xapp-1-fake-app-token-0123456789';

export interface ApiCall {
  method: string;
  /** Arguments with JSON-string fields (blocks, attachments) parsed back into values. */
  args: Record<string, unknown>;
  /** The Bearer token sent (tests assert which token went where). */
  token: string | null;
  contentType: string;
  /** What the fake answered: HTTP status and body (for a lost answer: what it would have answered). */
  status: number;
  response: unknown;
  at: number;
  /** Carried out, but the connection was dropped before the answer (loseAnswers). */
  answerLost?: boolean;
}

/** A span of time in which Slack answers every matching call 429 with Retry-After. */
export interface Storm {
  /** Resolves when the storm is over (the first call after it is answered normally). */
  ended: Promise<void>;
  /** performance.now() when it ends. */
  endsAt: number;
  /** Calls answered 429 so far. */
  rejected: number;
}

interface StormRule extends Storm {
  methods: (method: string) => boolean;
  retryAfterSec: number;
  timer: NodeJS.Timeout;
  end: () => void;
}

interface LoseRule {
  method: string;
  match: (args: Record<string, unknown>) => boolean;
  remaining: number;
}

export type Failure =
  | { kind: 'ratelimited'; retryAfterSec: number }
  | { kind: 'http'; status: number }
  | { kind: 'platform'; error: string }
  /** Holds the answer back (for timeouts); released by close(). */
  | { kind: 'hang' };

export interface FakeSlackOptions {
  botToken?: string;
  appToken?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  usergroups?: FakeUserGroup[];
  /** users.info: id -> name. */
  users?: Record<string, string>;
}

const JSON_FIELDS = ['blocks', 'attachments', 'metadata'];

function parseArgs(raw: string, contentType: string): Record<string, unknown> {
  if (contentType.startsWith('application/json')) {
    try {
      return (JSON.parse(raw || '{}') as Record<string, unknown>) ?? {};
    } catch {
      return {};
    }
  }
  const args: Record<string, unknown> = Object.fromEntries(new URLSearchParams(raw));
  for (const k of JSON_FIELDS) {
    if (typeof args[k] === 'string') {
      try {
        args[k] = JSON.parse(args[k] as string);
      } catch {
        /* left as the string Slack would also reject */
      }
    }
  }
  return args;
}

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  /** Bodies POSTed to /response/<id> (respond()). */
  readonly responses: { path: string; body: string }[] = [];
  readonly socket = new FakeSocketMode();
  readonly state: WebApiState;
  /** Per method, what the next calls do: a failure, or null to answer normally. */
  private readonly failures = new Map<string, (Failure | null)[]>();
  private readonly events = new EventEmitter();
  private readonly hung = new Set<http.ServerResponse>();
  private readonly storms: StormRule[] = [];
  private readonly losing: LoseRule[] = [];
  private tsSeq = 0;
  private fileSeq = 0;
  private port = 0;

  private constructor(
    private readonly server: http.Server,
    private readonly opts: Required<Pick<FakeSlackOptions, 'botToken' | 'appToken'>>,
    o: FakeSlackOptions,
  ) {
    this.events.setMaxListeners(0);
    this.state = {
      teamId: o.teamId ?? 'T0001',
      botUserId: o.botUserId ?? 'U0BOT',
      botId: o.botId ?? 'B0BOT',
      socketUrl: () => `ws://127.0.0.1:${this.port}/socket`,
      nextTs: () => `${1700000000 + ++this.tsSeq}.000100`,
      usergroups: o.usergroups ?? [],
      users: o.users ?? {},
      messages: [],
      files: new Map(),
      uploadUrl: (id) => `http://127.0.0.1:${this.port}/upload/${id}`,
      nextFileId: () => `F${String(++this.fileSeq).padStart(8, '0')}`,
    };
  }

  static async start(o: FakeSlackOptions = {}): Promise<FakeSlack> {
    const server = http.createServer();
    const fake = new FakeSlack(server, { botToken: o.botToken ?? FAKE_BOT_TOKEN, appToken: o.appToken ?? FAKE_APP_TOKEN }, o);
    server.on('request', (req, res) => fake.onRequest(req, res));
    server.on('upgrade', (req, socket, head) => {
      if (new URL(req.url ?? '/', 'http://x').pathname === '/socket') fake.socket.handleUpgrade(req, socket, head);
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    fake.port = (server.address() as AddressInfo).port;
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** What the adapter's slackApiUrl should be. */
  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/response/${id}`;
  }

  /**
   * The next `count` calls to `method` fail this way, after `skip` calls answered normally
   * (injected failures are used in order).
   */
  failNext(method: string, failure: Failure, count = 1, opts: { skip?: number } = {}): void {
    const list = this.failures.get(method) ?? [];
    for (let i = 0; i < (opts.skip ?? 0); i++) list.push(null);
    for (let i = 0; i < count; i++) list.push(failure);
    this.failures.set(method, list);
  }

  /**
   * From now for `forMs`, every call to a method `methods` accepts (default: chat.*) is answered
   * 429 with `Retry-After: retryAfterSec`, as Slack does when an app posts too fast.
   */
  storm(opts: { forMs: number; retryAfterSec: number; methods?: (method: string) => boolean }): Storm {
    let end = (): void => undefined;
    const ended = new Promise<void>((resolve) => (end = resolve));
    const rule: StormRule = {
      ended,
      endsAt: performance.now() + opts.forMs,
      rejected: 0,
      methods: opts.methods ?? ((m) => m.startsWith('chat.')),
      retryAfterSec: opts.retryAfterSec,
      timer: setTimeout(() => {
        this.storms.splice(this.storms.indexOf(rule), 1);
        end();
      }, opts.forMs),
      end,
    };
    this.storms.push(rule);
    return rule;
  }

  /**
   * The next `count` calls to `method` (whose arguments `match` accepts) are carried out (a post is
   * stored), then the connection is dropped before the answer: the caller cannot know it worked.
   */
  loseAnswers(method: string, count = 1, match: (args: Record<string, unknown>) => boolean = () => true): void {
    this.losing.push({ method, match, remaining: count });
  }

  /** The messages the fake holds in a channel (roots and replies), in the order they were posted. */
  messagesIn(channel: string): FakeSlackMessage[] {
    return this.state.messages.filter((m) => m.channel === channel);
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** The first recorded call (past or future) matching `pred`; rejects after timeoutMs. */
  waitFor(pred: (c: ApiCall) => boolean, opts: { timeoutMs?: number } = {}): Promise<ApiCall> {
    const hit = this.calls.find(pred);
    if (hit) return Promise.resolve(hit);
    const timeoutMs = opts.timeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.events.off('call', on);
        reject(new Error(`fake Slack: no matching Web API call within ${timeoutMs} ms (seen: ${this.calls.map((c) => c.method).join(', ') || 'none'})`));
      }, timeoutMs);
      const on = (c: ApiCall): void => {
        if (!pred(c)) return;
        clearTimeout(timer);
        this.events.off('call', on);
        resolve(c);
      };
      this.events.on('call', on);
    });
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      if (path.startsWith('/upload/')) {
        void this.onUpload(path.slice('/upload/'.length), Buffer.concat(chunks), req, res);
        return;
      }
      if (path.startsWith('/response/')) {
        this.responses.push({ path, body: raw });
        this.events.emit('response', path);
        res.writeHead(200).end();
        return;
      }
      const m = /^\/api\/([A-Za-z0-9._]+)$/.exec(path);
      if (req.method !== 'POST' || !m?.[1]) {
        res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: false, error: 'unknown_method' }));
        return;
      }
      this.onApiCall(m[1], raw, req, res);
    });
  }

  /**
   * The bytes of an announced file, POSTed to the URL files.getUploadURLExternal gave: Slack takes the
   * raw body or a multipart form (what @slack/web-api sends: one part named "body") with the bot
   * token, and answers 200 with plain text. Recorded as the call "upload".
   */
  private async onUpload(id: string, raw: Buffer, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const contentType = String(req.headers['content-type'] ?? '');
    const auth = String(req.headers.authorization ?? '');
    const call: ApiCall = { method: 'upload', args: { file_id: id }, token: auth.startsWith('Bearer ') ? auth.slice(7) : null, contentType, status: 200, response: null, at: performance.now() };
    const finish = (status: number, body: string): void => {
      call.status = status;
      call.response = body;
      this.calls.push(call);
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      this.events.emit('call', call);
    };
    const file = this.state.files.get(id);
    if (!file || file.completed) return finish(404, 'Not Found');
    let bytes = raw;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
      const part = form.get('body') ?? form.get('file');
      if (!(part instanceof Blob)) return finish(400, 'no file part');
      bytes = Buffer.from(await part.arrayBuffer());
    }
    if (bytes.length !== file.length) return finish(400, `length ${bytes.length} is not the announced ${file.length}`);
    file.bytes = bytes;
    call.args.bytes = bytes.length;
    finish(200, `OK - ${bytes.length}`);
  }

  /** The files shared in a channel (completed uploads), oldest first, with their text. */
  filesIn(channel: string): { message: FakeSlackMessage; file: FakeSlackFile; text: string }[] {
    return this.messagesIn(channel).flatMap((m) => (m.files ?? []).map((file) => ({ message: m, file, text: file.bytes?.toString('utf8') ?? '' })));
  }

  private onApiCall(method: string, raw: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    const contentType = String(req.headers['content-type'] ?? '');
    const args = parseArgs(raw, contentType);
    const auth = String(req.headers.authorization ?? '');
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : typeof args.token === 'string' ? args.token : null;
    const call: ApiCall = { method, args, token, contentType, status: 200, response: null, at: performance.now() };
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
      call.status = status;
      call.response = body;
      this.calls.push(call);
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      this.events.emit('call', call);
    };
    // apps.connections.open takes the app-level token; every other method the bot token.
    const expected = method === 'apps.connections.open' ? this.opts.appToken : this.opts.botToken;
    if (token === null) return reply(200, { ok: false, error: 'not_authed' });
    if (token !== expected) return reply(200, { ok: false, error: 'invalid_auth' });

    const storm = this.storms.find((st) => st.methods(method));
    if (storm) {
      storm.rejected++;
      return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(storm.retryAfterSec) });
    }
    const lose = this.losing.find((l) => l.remaining > 0 && l.method === method && l.match(args));
    if (lose) {
      lose.remaining--;
      call.response = answer(method, args, this.state);
      call.answerLost = true;
      this.calls.push(call);
      this.events.emit('call', call);
      res.socket?.destroy();
      return;
    }
    const failure = this.failures.get(method)?.shift();
    if (failure?.kind === 'ratelimited') return reply(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(failure.retryAfterSec) });
    if (failure?.kind === 'http') return reply(failure.status, { ok: false, error: 'fake_http_failure' });
    if (failure?.kind === 'platform') return reply(200, { ok: false, error: failure.error });
    if (failure?.kind === 'hang') {
      this.calls.push(call);
      this.events.emit('call', call);
      this.hung.add(res);
      return;
    }
    reply(200, answer(method, args, this.state));
  }

  /** Closes everything: Socket Mode clients are terminated, so stop the adapter first (§4). */
  async close(): Promise<void> {
    this.socket.close();
    for (const st of this.storms.splice(0)) {
      clearTimeout(st.timer);
      st.end();
    }
    for (const res of this.hung) res.destroy();
    this.hung.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
