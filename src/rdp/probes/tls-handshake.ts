// Upgrades the already-negotiated RDP socket to TLS in place (the TLS ClientHello follows the
// Connection Confirm on the same TCP stream) and closes it politely afterwards.
import net from 'node:net';
import tls from 'node:tls';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { elapsedMs, noop, now, runPhase } from './phase.ts';

export type TlsOutcome =
  | { ok: true; socket: TLSSocket; ms: number }
  | { ok: false; code: string; message: string; ms: number };

export interface TlsHandshakeOptions {
  /** SNI; only sent for DNS names (RFC 6066 forbids IP literals). */
  servername: string;
  strict: boolean;
  timeoutMs: number;
  signal?: AbortSignal | undefined;
}

// Node's client default refuses TLS 1.0/1.1 and weak ciphers; the probe wants to *see* such servers
// (and report them as legacy), so it lowers both unless asked to be strict.
const LENIENT = { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } as const;

// Plain words for the handshake failures a probe meets; OpenSSL's own text is kept in brackets.
const TLS_HINTS: Record<string, string> = {
  ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION: 'no TLS version in common (alert 70): the server offers only versions the client refuses, typically TLS 1.0/1.1',
  ERR_SSL_UNSUPPORTED_PROTOCOL: 'no TLS version in common: the server answered with a version the client refuses',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the server aborted the handshake (alert 40): no cipher suite or signature algorithm in common',
  ERR_SSL_NO_CIPHERS_AVAILABLE: 'no cipher suite in common',
};

function describe(err: NodeJS.ErrnoException & { reason?: string }): { code: string; message: string } {
  const code = err.code ?? 'ERROR';
  // OpenSSL messages carry a file:line trace and a trailing newline; its `reason` is the readable part.
  const detail = (err.reason ?? err.message).trim();
  if (code === 'ECONNRESET') return { code, message: `the server dropped the TLS handshake (${detail})` };
  const hint = TLS_HINTS[code];
  return { code, message: hint ? `${hint} (${detail})` : detail };
}

export async function tlsHandshake(raw: Socket, opts: TlsHandshakeOptions): Promise<TlsOutcome> {
  const t0 = now();
  let socket: TLSSocket;
  try {
    socket = tls.connect({
      socket: raw,
      rejectUnauthorized: false, // inspect, never trust: the certificate checks are reported, not enforced
      ...(net.isIP(opts.servername) === 0 && opts.servername !== '' ? { servername: opts.servername } : {}),
      ...(opts.strict ? {} : LENIENT),
    });
  } catch (err) {
    return { ok: false, ...describe(err as NodeJS.ErrnoException), ms: elapsedMs(t0) };
  }
  socket.on('error', noop);
  const outcome = await runPhase<TlsOutcome>(
    {
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      timeout: () => ({ ok: false, code: 'ETIMEDOUT', message: `TLS handshake did not finish within ${opts.timeoutMs} ms`, ms: elapsedMs(t0) }),
      aborted: () => ({ ok: false, code: 'ABORT_ERR', message: 'probe aborted', ms: elapsedMs(t0) }),
    },
    (done) => {
      const onSecure = (): void => done({ ok: true, socket, ms: elapsedMs(t0) });
      const onError = (err: NodeJS.ErrnoException): void => done({ ok: false, ...describe(err), ms: elapsedMs(t0) });
      // A close without an error event still ends the handshake.
      const onClose = (): void => done({ ok: false, code: 'ECONNRESET', message: 'the server dropped the TLS handshake (connection closed)', ms: elapsedMs(t0) });
      socket.once('secureConnect', onSecure);
      socket.once('error', onError);
      socket.once('close', onClose);
      return () => {
        socket.off('secureConnect', onSecure);
        socket.off('error', onError);
        socket.off('close', onClose);
      };
    },
  );
  if (!outcome.ok) socket.destroy();
  return outcome;
}

/**
 * Sends close_notify and waits (bounded) for the peer to close, so the server logs a clean end
 * instead of "unexpected eof"; then destroys whatever is left.
 */
export async function closeTls(socket: TLSSocket, waitMs = 300): Promise<void> {
  if (socket.destroyed) return;
  await runPhase<void>({ timeoutMs: waitMs, timeout: noop, aborted: noop }, (done) => {
    const onClose = (): void => done();
    socket.once('close', onClose);
    // The peer's close_notify/EOF arrives as readable data/end; keep the stream flowing so 'close' can fire.
    socket.resume();
    socket.end();
    return () => socket.off('close', onClose);
  });
  socket.destroy();
}
