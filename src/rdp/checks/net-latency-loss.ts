// net-latency-loss (§2): a short TCP-connect sample (3 connects) to the RDP port: loss, jitter, RTT.
// Thresholds are bot policy, not Microsoft numbers: loss > 0, jitter > 30 ms or average > 150 ms.
// Jitter must repeat, beyond what this machine explains: one slow connect is a busy bot (GC, a
// loaded CPU), not an unstable network. See unstableJitter.
import type { TcpSampleResult } from '../probes/index.ts';
import { defineCheck } from './lib/check.ts';

export const JITTER_LIMIT_MS = 30;
export const RTT_LIMIT_MS = 150;
/** How many connects must each be slower than the fastest by more than the limit. */
export const JITTER_REPEATS = 2;

/**
 * Whether the sample shows network jitter: at least JITTER_REPEATS connects slower than the fastest
 * (the baseline) by more than JITTER_LIMIT_MS plus the local delay measured meanwhile (time this
 * process could not run, which it would count as network time). Returns the slow connect times.
 */
export function unstableJitter(s: Pick<TcpSampleResult, 'samples' | 'minMs' | 'localDelayMs'>): { slow: number[]; unstable: boolean } {
  if (s.minMs === null) return { slow: [], unstable: false };
  const allowance = s.minMs + JITTER_LIMIT_MS + (s.localDelayMs ?? 0);
  const slow = s.samples.flatMap((x) => (x.state === 'open' && x.ms !== null && x.ms > allowance ? [x.ms] : []));
  return { slow, unstable: slow.length >= JITTER_REPEATS };
}

export const netLatencyLoss = defineCheck('net-latency-loss', 'Network latency and loss to the RDP port', 'medium', (input, f) => {
  const s = input.probes.latency;
  if (!s) return f.unknown('Latency was not sampled, so loss and jitter to the host are unknown.');
  if (input.probes.tcpRdp.state !== 'open') {
    return f.unknown(`Could not measure latency: RDP port ${input.target.rdpPort} does not accept connections, so every sample fails for that reason, not the network.`, undefined, { lossPct: s.lossPct }, 'net-tcp-reachability');
  }
  const evidence = { samples: s.samples.length, lost: s.lost, lossPct: s.lossPct, minMs: s.minMs, avgMs: s.avgMs, maxMs: s.maxMs, jitterMs: s.jitterMs, ...(s.localDelayMs !== undefined ? { localDelayMs: s.localDelayMs } : {}) };
  const jitter = unstableJitter(s);
  const issues: string[] = [];
  if (s.lost > 0) issues.push(`${s.lost} of ${s.samples.length} connects failed (${s.lossPct}% loss)`);
  if (jitter.unstable) issues.push(`jitter is ${s.jitterMs} ms (${jitter.slow.length} of ${s.samples.length} connects over ${JITTER_LIMIT_MS} ms slower than the fastest, ${s.minMs} ms)`);
  if (s.avgMs !== null && s.avgMs > RTT_LIMIT_MS) issues.push(`the average connect time is ${s.avgMs} ms`);
  if (issues.length) {
    return f.warning({
      summary: `The network to the host is unstable: ${issues.join(', ')}, which can stall the RDP/TLS handshake until a side closes it.`,
      explanation: 'Packet loss or a VPN that drops large packets can make the handshake time out (0x904 / 0x7 on unstable links). This is a network matter: escalate to the network owner; a wired or alternative link, or TCP-only RDP transport, may help meanwhile.',
      evidence,
    });
  }
  const oneOff =
    s.jitterMs !== null && s.jitterMs > JITTER_LIMIT_MS
      ? ` The connect times varied (${s.jitterMs} ms jitter), but not repeatedly beyond ${JITTER_LIMIT_MS} ms over the fastest${s.localDelayMs ? ` plus the ${s.localDelayMs} ms this machine was busy` : ''}: a busy moment here, not the network.`
      : '';
  return f.ok(`The network to the host is stable: ${s.samples.length} connects, no loss, ${s.avgMs ?? '?'} ms average, ${s.jitterMs ?? 0} ms jitter.`, `Latency and loss are well within what the RDP handshake tolerates.${oneOff}`, evidence);
});
