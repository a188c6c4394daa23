// A scripted WS-Man server for client tests: a real node:http(s) server on 127.0.0.1:0 that answers
// each request from a script (status, headers, body, delay, hang, reset, gate) and records what it got.
// It knows nothing about WinRM semantics; wsman-responses.ts builds the bodies.
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ConnectionState {
  id: number;
  /** Free per-connection storage for script functions (e.g. NTLM state). */
  data: Map<string, unknown>;
}

export interface RecordedRequest {
  index: number;
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** 'create' | 'command' | 'send' | 'receive' | 'signal' | 'delete', from a:Action (undefined if unreadable). */
  step: string | undefined;
  messageId: string | undefined;
  connection: ConnectionState;
}

export interface ScriptedReply {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer | ((req: RecordedRequest) => string | Buffer);
  /** Answer after this many ms. */
  delayMs?: number;
  /** Never answer (the client must time out). */
  hang?: boolean;
  /** Reset the TCP connection instead of answering. */
  reset?: boolean;
  /** Answer only once this settles. */
  gate?: Promise<unknown>;
  /** Close the connection after this answer (Connection: close), as a server idle timeout would. */
  closeConnection?: boolean;
  /** The step this reply is meant for; a mismatch is recorded in `mismatches`. */
  expect?: string;
}

export type ScriptFunction = (req: RecordedRequest) => ScriptedReply | Promise<ScriptedReply>;
export type Script = ScriptedReply[] | ScriptFunction;

const ACTION_STEP: Record<string, string> = {
  Create: 'create', Command: 'command', Send: 'send', Receive: 'receive', Signal: 'signal', Delete: 'delete',
};

export function stepOf(text: string): string | undefined {
  const action = /<(?:\w+:)?Action\b[^>]*>([^<]+)</.exec(text)?.[1]?.trim();
  return action === undefined ? undefined : ACTION_STEP[action.slice(action.lastIndexOf('/') + 1)];
}

export function messageIdOf(text: string): string | undefined {
  return /<(?:\w+:)?MessageID\b[^>]*>([^<]+)</.exec(text)?.[1]?.trim();
}

export class WsmanReplayServer extends EventEmitter {
  readonly requests: RecordedRequest[] = [];
  readonly mismatches: string[] = [];
  /** TCP connections accepted so far. */
  connections = 0;
  private readonly sockets = new Set<Socket>();
  private constructor(private readonly server: http.Server, private readonly script: Script, readonly url: string) {
    super();
  }

  static async start(script: Script, opts: { tls?: { key: string | Buffer; cert: string | Buffer }; path?: string } = {}): Promise<WsmanReplayServer> {
    const server = opts.tls ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert }) : http.createServer();
    server.keepAliveTimeout = 60_000; // like http.sys: keep NTLM-authenticated connections alive
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const url = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}${opts.path ?? '/wsman'}`;
    const replay = new WsmanReplayServer(server, script, url);
    replay.attach();
    return replay;
  }

  private attach(): void {
    const states = new WeakMap<Socket, ConnectionState>();
    const connectionEvent = this.server instanceof https.Server ? 'secureConnection' : 'connection';
    this.server.on(connectionEvent, (socket: Socket) => {
      this.connections += 1;
      states.set(socket, { id: this.connections, data: new Map() });
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      this.emit('connection', this.connections);
    });
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        const recorded: RecordedRequest = {
          index: this.requests.length,
          method: req.method ?? '',
          headers: req.headers,
          body,
          text,
          step: stepOf(text),
          messageId: messageIdOf(text),
          connection: states.get(req.socket) ?? { id: 0, data: new Map() },
        };
        this.requests.push(recorded);
        this.emit('request', recorded);
        void this.answer(recorded, req, res);
      });
    });
  }

  private async nextReply(req: RecordedRequest): Promise<ScriptedReply> {
    if (typeof this.script === 'function') return this.script(req);
    const reply = this.script[req.index];
    if (reply === undefined) {
      this.mismatches.push(`request #${req.index} (${req.step ?? '?'}) beyond the end of the script`);
      return { status: 599, body: 'script exhausted' };
    }
    return reply;
  }

  private async answer(recorded: RecordedRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const reply = await this.nextReply(recorded);
    if (reply.expect !== undefined && reply.expect !== recorded.step) {
      this.mismatches.push(`request #${recorded.index}: expected ${reply.expect}, got ${recorded.step ?? '?'}`);
    }
    if (reply.gate) await reply.gate;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.hang) return;
    if (reply.reset) {
      req.socket.resetAndDestroy();
      return;
    }
    const body = typeof reply.body === 'function' ? reply.body(recorded) : reply.body ?? '';
    const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    res.statusCode = reply.status ?? 200;
    res.setHeader('Server', 'Microsoft-HTTPAPI/2.0');
    if (buffer.length > 0 || !reply.headers?.['Content-Type']) res.setHeader('Content-Type', 'application/soap+xml;charset=UTF-8');
    for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
    if (reply.closeConnection) res.setHeader('Connection', 'close');
    res.setHeader('Content-Length', buffer.length);
    res.end(buffer);
  }

  /** Resolves once at least `n` requests have arrived. */
  async waitForRequests(n: number): Promise<void> {
    while (this.requests.length < n) await once(this, 'request');
  }

  /** Steps of all requests so far, in order. */
  steps(): Array<string | undefined> {
    return this.requests.map((r) => r.step);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
