// net-latency-loss (§2): a short TCP-connect sample (3 connects) to the RDP port: loss, jitter, RTT.
// Thresholds are bot policy, not Microsoft numbers: loss > 0, jitter > 30 ms or average > 150 ms.
import { defineCheck } from './lib/check.ts';

export const JITTER_LIMIT_MS = 30;
export const RTT_LIMIT_MS = 150;

export const netLatencyLoss = defineCheck('net-latency-loss', 'Network latency and loss to the RDP port', 'medium', (input, f) => {
  const s = input.probes.latency;
  if (!s) return f.unknown('Latency was not sampled, so loss and jitter to the host are unknown.');
  if (input.probes.tcpRdp.state !== 'open') {
    return f.unknown(`Could not measure latency: RDP port ${input.target.rdpPort} does not accept connections, so every sample fails for that reason, not the network.`, undefined, { lossPct: s.lossPct });
  }
  const evidence = { samples: s.samples.length, lost: s.lost, lossPct: s.lossPct, minMs: s.minMs, avgMs: s.avgMs, maxMs: s.maxMs, jitterMs: s.jitterMs };
  const issues: string[] = [];
  if (s.lost > 0) issues.push(`${s.lost} of ${s.samples.length} connects failed (${s.lossPct}% loss)`);
  if (s.jitterMs !== null && s.jitterMs > JITTER_LIMIT_MS) issues.push(`jitter is ${s.jitterMs} ms`);
  if (s.avgMs !== null && s.avgMs > RTT_LIMIT_MS) issues.push(`the average connect time is ${s.avgMs} ms`);
  if (issues.length) {
    return f.warning({
      summary: `The network to the host is unstable: ${issues.join(', ')}, which can stall the RDP/TLS handshake until a side closes it.`,
      explanation: 'Packet loss or a VPN that drops large packets can make the handshake time out (0x904 / 0x7 on unstable links). This is a network matter: escalate to the network owner; a wired or alternative link, or TCP-only RDP transport, may help meanwhile.',
      evidence,
    });
  }
  return f.ok(`The network to the host is stable: ${s.samples.length} connects, no loss, ${s.avgMs ?? '?'} ms average, ${s.jitterMs ?? 0} ms jitter.`, 'Latency and loss are well within what the RDP handshake tolerates.', evidence);
});
