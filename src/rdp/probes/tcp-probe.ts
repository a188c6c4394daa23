// TCP reachability (net-tcp-reachability) and connect-time RTT sampling (net-latency-loss).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { ConnectFn } from './types.ts';
import { connectTcp } from './tcp-connect.ts';

export type TcpState = 'open' | 'refused' | 'timeout' | 'unreachable' | 'error';

export interface TcpProbeOptions {
  host: string;
  port: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Test seam: opens the TCP connection (default net.connect). */
  connect?: ConnectFn;
}

export interface TcpProbeResult {
  port: number;
  state: TcpState;
  /** Connect time when open; null otherwise. */
  ms: number | null;
  /** Error code (ECONNREFUSED, ETIMEDOUT, ENOTFOUND ...) when not open. */
  error: string | null;
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

function stateOf(code: string): TcpState {
  if (code === 'ECONNREFUSED') return 'refused'; // host answered with RST: reachable, nothing listening (or REJECT)
  if (code === 'ETIMEDOUT') return 'timeout'; // filtered, or host down
  if (UNREACHABLE.has(code)) return 'unreachable';
  return 'error';
}

export async function probeTcp(opts: TcpProbeOptions): Promise<TcpProbeResult> {
  const r = await connectTcp(opts.host, opts.port, { timeoutMs: opts.timeoutMs, signal: opts.signal, connect: opts.connect });
  if (!r.ok) return { port: opts.port, state: stateOf(r.code), ms: null, error: r.code };
  // Connect-only probe: close at once so the listener sees a plain open/close.
  r.socket.destroy();
  return { port: opts.port, state: 'open', ms: r.ms, error: null };
}

export interface TcpSampleOptions extends TcpProbeOptions {
  /** Number of connects (default 5). Keep it small: many incomplete connections can trip RDP throttling. */
  count?: number;
  /** Gap between connects (default 50 ms). */
  intervalMs?: number;
}

export interface TcpSampleResult {
  samples: TcpProbeResult[];
  /** Number of samples that connected. */
  ok: number;
  lost: number;
  lossPct: number;
  minMs: number | null;
  avgMs: number | null;
  maxMs: number | null;
  /** Mean absolute difference of consecutive successful RTTs; null with fewer than two. */
  jitterMs: number | null;
  /**
   * The local baseline: the longest this process could not run while sampling (event-loop delay),
   * which a busy machine adds to any connect time it measures. Absent when not measured.
   */
  localDelayMs?: number;
}

const round2 = (n: number): number => Math.round(n * 100) / 100;

/** Sequential connect-time samples with a gap between them (product pacing, not a test sleep). */
export async function sampleTcp(opts: TcpSampleOptions): Promise<TcpSampleResult> {
  const count = Math.max(1, Math.floor(opts.count ?? 5));
  const intervalMs = opts.intervalMs ?? 50;
  const samples: TcpProbeResult[] = [];
  const local = monitorEventLoopDelay({ resolution: 10 });
  local.enable();
  try {
    for (let i = 0; i < count; i++) {
      if (opts.signal?.aborted) break;
      if (i > 0 && intervalMs > 0) await delay(intervalMs);
      samples.push(await probeTcp(opts));
    }
  } finally {
    local.disable();
  }
  // The histogram's max is in ns and includes its own timer resolution; 0 when nothing was recorded.
  const localDelayMs = local.count > 0 ? round2(Math.max(0, local.max / 1e6 - 10)) : 0;
  return { samples, ...tcpStats(samples), localDelayMs };
}

export function tcpStats(samples: TcpProbeResult[]): Omit<TcpSampleResult, 'samples'> {
  const rtts = samples.flatMap((s) => (s.state === 'open' && s.ms !== null ? [s.ms] : []));
  const lost = samples.length - rtts.length;
  let jitter: number | null = null;
  if (rtts.length >= 2) {
    let sum = 0;
    for (let i = 1; i < rtts.length; i++) sum += Math.abs((rtts[i] ?? 0) - (rtts[i - 1] ?? 0));
    jitter = round2(sum / (rtts.length - 1));
  }
  return {
    ok: rtts.length,
    lost,
    lossPct: samples.length === 0 ? 0 : round2((lost / samples.length) * 100),
    minMs: rtts.length ? Math.min(...rtts) : null,
    avgMs: rtts.length ? round2(rtts.reduce((a, b) => a + b, 0) / rtts.length) : null,
    maxMs: rtts.length ? Math.max(...rtts) : null,
    jitterMs: jitter,
  };
}
