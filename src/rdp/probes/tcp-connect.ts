// Opens a TCP connection with a deadline and tells a name-resolution failure apart from a TCP one.
import net from 'node:net';
import type { Socket } from 'node:net';
import type { ConnectFn } from './types.ts';
import { elapsedMs, noop, now, runPhase } from './phase.ts';

export type TcpConnectOutcome =
  | { ok: true; socket: Socket; ms: number }
  | { ok: false; stage: 'dns' | 'tcp'; code: string; message: string; ms: number };

export interface TcpConnectOptions {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  connect?: ConnectFn | undefined;
}

const defaultConnect: ConnectFn = ({ host, port }) => net.connect({ host, port });

// getaddrinfo failures; the syscall field says so too, but these codes are unambiguous on their own.
const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

export async function connectTcp(host: string, port: number, opts: TcpConnectOptions): Promise<TcpConnectOutcome> {
  const t0 = now();
  let socket: Socket;
  try {
    socket = (opts.connect ?? defaultConnect)({ host, port });
  } catch (err) {
    // net.connect throws synchronously for e.g. an out-of-range port.
    const e = err as NodeJS.ErrnoException;
    return { ok: false, stage: 'tcp', code: e.code ?? 'ERROR', message: e.message, ms: elapsedMs(t0) };
  }
  // Late errors after a phase has unhooked must never become an uncaught 'error' event.
  socket.on('error', noop);
  let resolved = net.isIP(host) !== 0;
  const outcome = await runPhase<TcpConnectOutcome>(
    {
      timeoutMs: opts.timeoutMs,
      signal: opts.signal,
      timeout: () => ({
        ok: false,
        stage: resolved ? 'tcp' : 'dns',
        code: 'ETIMEDOUT',
        message: resolved
          ? `no answer to the TCP connect within ${opts.timeoutMs} ms (filtered, or the host is down)`
          : `name resolution did not finish within ${opts.timeoutMs} ms`,
        ms: elapsedMs(t0),
      }),
      aborted: () => ({ ok: false, stage: resolved ? 'tcp' : 'dns', code: 'ABORT_ERR', message: 'probe aborted', ms: elapsedMs(t0) }),
    },
    (done) => {
      const onLookup = (err: Error | null): void => {
        if (!err) resolved = true;
      };
      const onConnect = (): void => done({ ok: true, socket, ms: elapsedMs(t0) });
      const onError = (err: NodeJS.ErrnoException): void => {
        const code = err.code ?? 'ERROR';
        const dns = err.syscall === 'getaddrinfo' || DNS_CODES.has(code);
        done({ ok: false, stage: dns ? 'dns' : 'tcp', code, message: err.message, ms: elapsedMs(t0) });
      };
      socket.on('lookup', onLookup);
      socket.once('connect', onConnect);
      socket.once('error', onError);
      return () => {
        socket.off('lookup', onLookup);
        socket.off('connect', onConnect);
        socket.off('error', onError);
      };
    },
  );
  if (!outcome.ok) socket.destroy();
  return outcome;
}
