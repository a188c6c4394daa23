// net-tcp-reachability (§2): can the bot open TCP to the RDP port and to WinRM? Routes to the cause.
import type { TcpProbeResult } from '../probes/index.ts';
import { whyFiltered, whyNotListening, type Cause } from './lib/causes.ts';
import { defineCheck } from './lib/check.ts';
import { hostFacts } from './lib/facts.ts';

export function tcpPhrase(r: TcpProbeResult): string {
  switch (r.state) {
    case 'open':
      return 'accepts connections';
    case 'refused':
      return 'refuses connections';
    case 'timeout':
      return 'does not answer (timed out)';
    case 'unreachable':
      return `is unreachable (${r.error ?? 'no route'})`;
    default:
      return `cannot be reached (${r.error ?? 'error'})`;
  }
}

export const netTcpReachability = defineCheck('net-tcp-reachability', 'RDP and WinRM ports reachable', 'critical', (input, f) => {
  const { tcpRdp, tcpWinrm } = input.probes;
  const port = input.target.rdpPort;
  const facts = hostFacts(input);
  const evidence = { rdp: { port: tcpRdp.port, state: tcpRdp.state, ms: tcpRdp.ms, error: tcpRdp.error }, winrm: { port: tcpWinrm.port, state: tcpWinrm.state, error: tcpWinrm.error } };
  const winrmNote = tcpWinrm.state === 'open' ? `WinRM port ${tcpWinrm.port} is open` : `WinRM port ${tcpWinrm.port} ${tcpPhrase(tcpWinrm)}`;
  if (tcpRdp.state === 'open') {
    return f.ok(`RDP port ${port} accepts TCP connections from rdp-medic; ${winrmNote}.`, 'The network path to the RDP port is open; any failure happens later, in the RDP or TLS handshake.', evidence);
  }
  let cause: Cause | null = null;
  let generic: string;
  if (tcpRdp.state === 'refused') {
    cause = whyNotListening(facts, port);
    generic = 'nothing is listening on it (TermService, the RDP-Tcp listener, or the port setting), or a firewall rejects it';
  } else if (tcpRdp.state === 'timeout') {
    cause = whyFiltered(facts, port) ?? whyNotListening(facts, port);
    generic = tcpWinrm.state === 'open' ? 'a firewall (host, network or cloud) drops the packets while WinRM gets through' : 'the host is down or the network path drops the packets';
  } else {
    generic = 'the network path to the host fails';
  }
  if (!facts && tcpWinrm.state !== 'open') {
    // Nothing answers from outside and nothing could be read inside: one finding says what was tried and what next.
    const dns = input.probes.dns;
    const resolved = dns?.addresses.length ? `${input.target.address} resolves to ${dns.addresses.map((a) => a.address).join(', ')}; ` : '';
    return f.problem({
      summary:
        tcpRdp.state === 'refused' && tcpWinrm.state === 'refused'
          ? `Both RDP (port ${port}) and WinRM (port ${tcpWinrm.port}) refuse connections on ${input.target.id}: neither service listens there, or a firewall rejects them.`
          : `Neither RDP (port ${port}) nor WinRM (port ${tcpWinrm.port}) answers on ${input.target.id}: the machine is off, or the network between rdp-medic and it is cut.`,
      explanation:
        `Tried from rdp-medic: ${resolved}TCP to RDP port ${port} ${tcpPhrase(tcpRdp)}; TCP to WinRM port ${tcpWinrm.port} ${tcpPhrase(tcpWinrm)}. ` +
        'What to do: check that the machine is running (its hypervisor or cloud console), then the path from here (VPN, network firewalls, cloud security groups). When WinRM answers, check again: the host-side checks then name the cause.',
      evidence: { ...evidence, cause: null },
    });
  }
  return f.problem({
    summary: `RDP port ${port} ${tcpPhrase(tcpRdp)}: ${cause?.text ?? generic}.`,
    explanation:
      `Clients cannot even open a TCP connection to the RDP port, so no RDP session can start (mstsc reports a connect failure or time-out). ${winrmNote}. ` +
      (cause ? 'The host-side finding for that cause proposes the fix.' : 'Check the host-side findings; if they are all healthy, look at network firewalls, cloud security groups and routing.'),
    evidence: { ...evidence, cause: cause?.text ?? null },
    proof: `TCP to RDP port ${port} ${tcpPhrase(tcpRdp)}`,
    ...(cause ? { supports: cause.check } : {}),
  });
});
