// net-host-nic (§3.H): the host has addresses, and the RDP stack does not log many protocol-stream
// errors (TermDD 50/56; the bot's own probe causes a few, hence the threshold).
import { defineCheck } from './lib/check.ts';
import { minutesAgo } from './lib/dates.ts';
import { need } from './lib/facts.ts';

export const TERMDD_THRESHOLD = 10;

export const netHostNic = defineCheck('net-host-nic', 'Host network and RDP protocol stream', 'medium', (input, f) => {
  const got = need(input, {
    ips: ['the host\'s IP addresses', (h) => h.ipAddresses],
    termdd: ['the System log (TermDD 50/56)', (h) => h.events.termdd],
  });
  if (!got.ok) return f.unknown(`Could not check the host's network state: ${got.missing}.`, undefined, got.evidence);
  const termdd = got.v.termdd.filter((e) => (e.id === 50 || e.id === 56) && minutesAgo(input.now, e.timeCreated) <= 24 * 60);
  const evidence = { addresses: got.v.ips.map((a) => `${a.address}/${a.prefixLength} (${a.interfaceAlias})`), termddLast24h: termdd.length };
  if (got.v.ips.length === 0) {
    return f.warning({ summary: 'The host reports no IP address, so clients cannot reach it on any network.', explanation: 'Check the adapters at the console; changing NIC settings over WinRM can cut the bot off.', evidence });
  }
  if (termdd.length >= TERMDD_THRESHOLD) {
    return f.warning({
      summary: `The RDP stack logged ${termdd.length} protocol-stream errors (TermDD 50/56) in the last 24 hours: the server dropped clients mid-handshake, often a NIC driver/offload or network problem.`,
      explanation: 'TermDD 50/56 mean the server received RDP data it could not process and closed the connection (0x904). Update the NIC driver or test with offloads disabled, with console access (changing the NIC over WinRM can cut the bot off); escalate. A few of these come from rdp-medic\'s own probe.',
      evidence,
    });
  }
  return f.ok(`The host has ${got.v.ips.length} address${got.v.ips.length === 1 ? '' : 'es'} and few RDP protocol-stream errors (${termdd.length} TermDD 50/56 in 24 h).`, 'Nothing points at the host\'s network adapter.', evidence);
});
