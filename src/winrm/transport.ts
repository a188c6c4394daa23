// HTTP(S) exchange with one WinRM host over one keep-alive connection (maxSockets 1).
// The request is prepared only once the socket is known (and, for TLS, verified and pinned), so:
//  - NTLM can tell a fresh socket (needs a handshake) from an authenticated one;
//  - no byte, Authorization header included, is written before the certificate checks passed.
// Connect timeout, per-request timeout and the caller's AbortSignal all destroy the request. The
// per-request timeout is a total deadline from the moment a socket is assigned, not an idle timeout:
// a host that drips one byte a second cannot keep a request alive. The body is counted as it
// arrives and the request destroyed past maxResponseBytes, before anything (NTLM unsealing included)
// sees it; a declared Content-Length over the cap is refused without reading.
import http from 'node:http';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { WinrmOutputLimitError, WinrmTimeoutError } from './errors.ts';
import { abortError } from './abort.ts';
import type { WinrmError } from './errors.ts';
import { PinMismatch, describeNetworkError } from './net-errors.ts';
import { pinMatches } from './tls.ts';
import type { TlsSettings } from './tls.ts';
import type { RequestContext, WinrmStats } from './types.ts';

export interface PreparedRequest {
  headers: Record<string, string>;
  body: Buffer;
}

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  /** Every WWW-Authenticate header separately (Node would join them with ', '). */
  wwwAuthenticate: string[];
  contentType: string;
  body: Buffer;
  socket: Socket;
}

export interface TransportOptions {
  url: URL;
  /** host:port, as used in every message. */
  host: string;
  tls: TlsSettings;
  connectMs: number;
  /** Close idle kept-alive sockets before Windows (http.sys, ~120 s) does. */
  idleSocketMs: number;
  /** The largest response body we read; past it the connection is dropped. */
  maxResponseBytes: number;
  stats: WinrmStats;
}

export type Prepare = (socket: Socket) => PreparedRequest | Promise<PreparedRequest>;

export class HttpTransport {
  private readonly agent: http.Agent;
  private readonly verified = new WeakSet<Socket>();
  private readonly isHttps: boolean;

  constructor(private readonly options: TransportOptions) {
    this.isHttps = options.url.protocol === 'https:';
    const common = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1, timeout: options.idleSocketMs, scheduling: 'fifo' as const };
    this.agent = this.isHttps
      ? new https.Agent({ ...common, ca: options.tls.ca, rejectUnauthorized: !options.tls.insecure })
      : new http.Agent(common);
  }

  /** Destroys the agent and every socket it holds. */
  destroy(): void {
    this.agent.destroy();
  }

  post(ctx: RequestContext, prepare: Prepare): Promise<HttpResult> {
    const { url, host, connectMs, stats } = this.options;
    return new Promise<HttpResult>((resolve, reject) => {
      let settled = false;
      let responseStarted = false;
      let requestTimer: NodeJS.Timeout | undefined;
      let connectTimer: NodeJS.Timeout | undefined;
      const clearTimers = (): void => {
        clearTimeout(requestTimer);
        clearTimeout(connectTimer);
        ctx.signal?.removeEventListener('abort', onAbort);
      };
      const fail = (error: WinrmError): void => {
        if (settled) return;
        settled = true;
        clearTimers();
        req.destroy();
        reject(error);
      };
      const onAbort = (): void => fail(abortError(ctx, host));
      if (ctx.signal?.aborted) {
        reject(abortError(ctx, host));
        return;
      }

      stats.roundTrips += 1;
      const req = (this.isHttps ? https : http).request({
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port || (this.isHttps ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: this.agent,
      });
      ctx.signal?.addEventListener('abort', onAbort, { once: true });

      req.on('error', (error) => {
        const stale = req.reusedSocket && !responseStarted;
        fail(describeNetworkError(error, host, ctx.step, stale));
      });

      req.once('socket', (socket: Socket) => {
        requestTimer = setTimeout(
          () => fail(new WinrmTimeoutError(`WinRM ${ctx.step} to ${host} timed out: no response within ${ctx.timeoutMs} ms. The host or the WinRM service is hung or overloaded.`, host, ctx.step, 'request', ctx.timeoutMs)),
          ctx.timeoutMs,
        );
        const fresh = socket.connecting || (this.isHttps && !this.verified.has(socket));
        if (fresh) {
          connectTimer = setTimeout(
            () => fail(new WinrmTimeoutError(`WinRM ${ctx.step} to ${host} timed out: could not connect${this.isHttps ? ' and complete TLS' : ''} within ${connectMs} ms. The host may be down, or a firewall drops the packets.`, host, ctx.step, 'connect', connectMs)),
            connectMs,
          );
        }
        this.whenReady(socket)
          .then(() => {
            clearTimeout(connectTimer);
            return prepare(socket);
          })
          .then((prepared) => {
            if (settled) return;
            for (const [name, value] of Object.entries(prepared.headers)) req.setHeader(name, value);
            req.setHeader('Content-Length', prepared.body.length);
            req.setHeader('User-Agent', 'rdp-medic-winrm');
            req.end(prepared.body);
          })
          .catch((error: unknown) => {
            if (isWinrmError(error)) fail(error);
            else fail(describeNetworkError(error, host, ctx.step, false));
          });
      });

      req.on('response', (res) => {
        responseStarted = true;
        const chunks: Buffer[] = [];
        let received = 0;
        const tooLarge = (): void => {
          chunks.length = 0;
          fail(new WinrmOutputLimitError(host, ctx.step, { limit: 'winrm.maxResponseBytes', limitBytes: this.options.maxResponseBytes, what: `in one WinRM ${ctx.step} response` }));
        };
        res.on('data', (chunk: Buffer) => {
          if (settled) return;
          received += chunk.length;
          if (received > this.options.maxResponseBytes) tooLarge();
          else chunks.push(chunk);
        });
        res.on('error', (error) => fail(describeNetworkError(error, host, ctx.step, false)));
        res.on('aborted', () => fail(describeNetworkError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), host, ctx.step, false)));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimers();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            wwwAuthenticate: res.headersDistinct['www-authenticate'] ?? [],
            contentType: res.headers['content-type'] ?? '',
            body: Buffer.concat(chunks),
            socket: req.socket as Socket,
          });
        });
        // A declared length over the cap: refuse before the first byte is read.
        if (Number(res.headers['content-length']) > this.options.maxResponseBytes) tooLarge();
      });
    });
  }

  /** Plain sockets: connected. TLS sockets: handshake done and the pin (if any) checked, once per socket. */
  private whenReady(socket: Socket): Promise<void> {
    const { pin } = this.options.tls;
    if (!this.isHttps) {
      if (!socket.connecting) return Promise.resolve();
      return new Promise((resolve) => socket.once('connect', () => resolve()));
    }
    if (this.verified.has(socket)) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('secureConnect', () => {
        if (pin !== undefined && !pinMatches(socket as TLSSocket, pin)) {
          socket.destroy(new PinMismatch('leaf certificate SHA-256 differs'));
          return; // the request's 'error' handler reports it
        }
        this.verified.add(socket);
        resolve();
      });
    });
  }
}

function isWinrmError(error: unknown): error is WinrmError {
  return error instanceof Error && 'host' in error && 'step' in error;
}
