// The HTTP(S) listener of one simulated host: POST /wsman with http.sys manners (Server header,
// 401s with an empty body on a kept-alive connection, ~120 s idle timeout), authentication,
// NTLM message encryption, fault injection, and dispatch of the SOAP operation.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { X509Certificate } from 'node:crypto';
import { ENCRYPTED_CONTENT_TYPE, channelBindingsHash, isEncryptedContentType, tlsServerEndPoint, unwrapEncrypted, wrapEncrypted } from '../../ntlm/index.ts';
import type { WsmanHost } from '../types.ts';
import { authenticate, newSocketAuth } from './auth.ts';
import type { CbtHardeningLevel, ChannelBindingPolicy, LabKerberos, SocketAuth } from './auth.ts';
import { loadGssapi } from '../../winrm/index.ts';
import { dispatch } from './dispatch.ts';
import { faultEnvelope, faults } from './faults.ts';
import { ShellRegistry } from './shells.ts';

/** Structural subset of a pino logger. */
export interface WsmanLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface WsmanServerOptions {
  host: WsmanHost;
  tls?: { cert: string; key: string };
  /** Like WinRM AllowUnencrypted=true (default): plaintext SOAP is accepted over http. */
  allowUnencrypted?: boolean;
  /**
   * Accept Kerberos (SPNEGO or raw, under Negotiate): the keytab holding `spn` (HTTP/<name>). Needs the
   * optional `kerberos` package. The keytab is process-wide (KRB5_KTNAME): one per lab process.
   */
  kerberos?: { keytab: string; spn: string };
  /** HTTPS only, like WinRM's CbtHardeningLevel (default 'relaxed', as on Windows). NTLM only: see ADR 0011. */
  cbtHardeningLevel?: CbtHardeningLevel;
  maxShellsPerUser?: number;
  logger?: WsmanLogger;
}

export interface WsmanServer {
  url: string;
  port: number;
  close(): Promise<void>;
  stats: { requests: number; connections: number };
}

const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';
/** http.sys' idle connection timeout. */
const KEEP_ALIVE_MS = 120_000;

export async function startWsmanServer(opts: WsmanServerOptions): Promise<WsmanServer> {
  const { host, tls } = opts;
  const allowUnencrypted = opts.allowUnencrypted ?? true;
  const log = opts.logger;
  let kerberos: LabKerberos | undefined;
  if (opts.kerberos) {
    process.env.KRB5_KTNAME = `FILE:${opts.kerberos.keytab}`;
    kerberos = { gss: loadGssapi(), service: opts.kerberos.spn.replace(/^([^/]+)\/([^@]+)(@.*)?$/, '$1@$2') };
  }
  const cbt: ChannelBindingPolicy = {
    level: opts.cbtHardeningLevel ?? 'relaxed',
    expected: tls ? channelBindingsHash(tlsServerEndPoint(new X509Certificate(tls.cert).raw)) : undefined,
  };
  const shells = new ShellRegistry(host, opts.maxShellsPerUser ?? 30);
  const sockets = new Set<Socket>();
  const socketAuth = new WeakMap<Socket, SocketAuth>();
  const closing = new AbortController();
  const stats = { requests: 0, connections: 0 };
  let url = '';

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    handle(req, res).catch((e: unknown) => {
      log?.warn({ err: e }, 'wsman: request failed');
      if (!res.headersSent && !res.destroyed) {
        reply(res, 500, Buffer.from(faultEnvelope(faults.internalError(String(e), 2147500037), host.computerName, undefined)), SOAP_CONTENT_TYPE);
      }
    });
  };

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stats.requests++;
    const aborted = new AbortController();
    // Only a connection lost before the answer aborts (an abort builds a DOMException with a stack:
    // on every finished response that was a tenth of the lab's time in a fleet run).
    res.on('close', () => {
      if (!res.writableFinished) aborted.abort();
    });
    const gone = AbortSignal.any([closing.signal, aborted.signal]);
    // Always drain the request first: clients send the full body even on legs that end in 401.
    const body = await readBody(req);
    const fi = host.faults;
    if (fi.reset) {
      req.socket.destroy();
      return;
    }
    if (fi.hang) return; // never answered; close() destroys the socket
    const wait = fi.latencyMs + Math.random() * fi.jitterMs;
    if (wait > 0) {
      try {
        await delay(wait, undefined, { signal: gone });
      } catch {
        return;
      }
    }
    if (res.destroyed) return;

    const path = (req.url ?? '').split('?')[0];
    if (path?.toLowerCase() !== '/wsman') return reply(res, 404, Buffer.alloc(0));
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return reply(res, 405, Buffer.alloc(0));
    }

    let auth = socketAuth.get(req.socket);
    if (!auth) {
      auth = newSocketAuth();
      socketAuth.set(req.socket, auth);
    }
    const who = await authenticate(req.headers.authorization, auth, host, cbt, kerberos, (e) => log?.warn({ err: e }, 'wsman: NTLM error'));
    if (who.kind === 'challenge') return reply401(res, [who.wwwAuthenticate]);
    if (who.kind === 'denied') return reply401(res, ['Negotiate', 'Basic realm="WSMAN"']);
    if (who.wwwAuthenticate) res.setHeader('WWW-Authenticate', who.wwwAuthenticate);

    const machine = host.computerName;
    if (fi.http500) return reply(res, 500, Buffer.from(faultEnvelope(faults.internalError(), machine, undefined)), SOAP_CONTENT_TYPE);
    // An authenticated empty POST sets up the NTLM context for message encryption (pywinrm 'auto').
    if (body.length === 0) return reply(res, 200, Buffer.alloc(0));

    const encrypted = isEncryptedContentType(req.headers['content-type']);
    let soap: Buffer = body;
    if (encrypted) {
      if (!auth.session) return reply401(res, ['Negotiate', 'Basic realm="WSMAN"']);
      try {
        soap = unwrapEncrypted(auth.session, body);
      } catch (e) {
        log?.warn({ err: e }, 'wsman: cannot unwrap an encrypted body');
        return reply(res, 400, Buffer.alloc(0));
      }
    } else if (!allowUnencrypted && !tls) {
      // AllowUnencrypted=false: plaintext SOAP over http is refused with 401 (winrm-protocol.md §1.1 #8).
      return reply401(res, ['Negotiate', 'Basic realm="WSMAN"']);
    }

    let result: { status: number; body: string };
    if (/chunked/i.test(req.headers['transfer-encoding'] ?? '')) {
      result = {
        status: 500,
        body: faultEnvelope(
          faults.internalError('The WS-Management service does not support chunked transfer encoding for shell requests. ', 2150858880),
          machine,
          undefined,
        ),
      };
    } else {
      result = await dispatch(soap.toString('utf8'), {
        user: who.user,
        clientIp: (req.socket.remoteAddress ?? '').replace(/^::ffff:/, ''),
        address: url,
        machine,
        signal: gone,
      }, shells);
    }
    if (res.destroyed) return;
    log?.debug({ status: result.status }, 'wsman: reply');
    const plain = Buffer.from(result.body, 'utf8');
    if (encrypted && auth.session) return reply(res, result.status, wrapEncrypted(auth.session, plain), ENCRYPTED_CONTENT_TYPE);
    reply(res, result.status, plain, SOAP_CONTENT_TYPE);
  }

  const server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, onRequest) : http.createServer(onRequest);
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  server.requestTimeout = 300_000;
  server.on('connection', (socket: Socket) => {
    stats.connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}/wsman`;

  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      shells.closeAll();
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
    });
    return closed;
  };

  return { url, port, close, stats };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    // A connection dropped mid-body: answer nothing, the socket is gone anyway.
    req.on('error', () => resolve(Buffer.concat(parts)));
    req.on('aborted', () => resolve(Buffer.concat(parts)));
  });
}

function reply(res: http.ServerResponse, status: number, body: Buffer, contentType?: string): void {
  if (res.destroyed || res.headersSent) return;
  res.setHeader('Server', 'Microsoft-HTTPAPI/2.0');
  if (contentType && body.length > 0) res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Length', body.length);
  res.writeHead(status);
  res.end(body);
}

/** 401 as http.sys sends it: empty body, Content-Length 0, connection kept open. */
function reply401(res: http.ServerResponse, challenges: string[]): void {
  res.setHeader('WWW-Authenticate', challenges);
  reply(res, 401, Buffer.alloc(0));
}
