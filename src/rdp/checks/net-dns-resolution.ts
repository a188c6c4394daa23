// net-dns-resolution (rdp-checks.md §2): does the name users type resolve to this host's own addresses?
import { compareAddresses } from '../probes/index.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';

/** Answers from a DNS server that say the name has no address (as opposed to a lookup that failed). */
const NAME_HAS_NO_ADDRESS: ReadonlySet<string> = new Set(['ENOTFOUND', 'ENODATA']);

const LOOKUP_FAILED: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'the DNS server refused the connection',
  ETIMEOUT: 'the DNS server did not answer in time',
  ETIMEDOUT: 'the DNS server did not answer in time',
  EREFUSED: 'the DNS server refused the query',
  ESERVFAIL: 'the DNS server failed to answer (SERVFAIL)',
  ECANCELLED: 'the lookup was cancelled',
};

export const netDnsResolution = defineCheck('net-dns-resolution', 'DNS name resolves to this host', 'critical', (input, f) => {
  const dns = input.probes.dns;
  const name = input.target.address;
  if (dns === null) {
    return f.ok(`${name} is an IP address, so DNS plays no part in reaching the host.`, 'Clients connect by IP address; no name lookup can send them to the wrong machine.', { address: name, literal: true });
  }
  const resolved = dns.addresses.map((a) => a.address);
  if (resolved.length === 0 && dns.error && !NAME_HAS_NO_ADDRESS.has(dns.error)) {
    // The lookup itself failed: that says nothing about the name's record, only about our resolver.
    return f.unknown(
      `rdp-medic could not look ${name} up: ${LOOKUP_FAILED[dns.error] ?? `the lookup failed (${dns.error})`} (${dns.resolver}).`,
      'Without an answer from DNS rdp-medic cannot tell whether the name points at this host. Check the DNS servers rdp-medic uses (`dns.servers` in its configuration, or the system resolver), then check again.',
      { name, error: dns.error, resolver: dns.resolver, ms: dns.ms },
    );
  }
  if (resolved.length === 0) {
    return f.problem({
      summary: `${name} does not resolve (${dns.error ?? 'no address'}), so clients cannot find the host to connect over RDP.`,
      explanation: 'The DNS server gave no A or AAAA record for this name. Fix the DNS record (ask the DNS owner), or connect by IP address for now. The bot resolves from its own network; split DNS or a VPN may answer users differently.',
      evidence: { name, error: dns.error, resolver: dns.resolver, ms: dns.ms },
    });
  }
  const got = need(input, { ips: ['the host\'s own IP addresses', (h) => h.ipAddresses] });
  if (!got.ok) return f.unknown(`${name} resolves to ${resolved.join(', ')}, but could not compare it with the host's own addresses: ${got.missing}.`, undefined, { name, resolved, ...got.evidence });
  const own = got.v.ips.map((a) => ({ address: a.address, family: a.family === 'IPv6' ? (6 as const) : (4 as const) }));
  const cmp = compareAddresses(dns, own);
  const evidence = { name, resolved, hostAddresses: own.map((a) => a.address), resolver: dns.resolver, comparison: cmp };
  if (cmp.verdict === 'match') {
    return f.ok(`${name} resolves to ${resolved.join(', ')}, which ${resolved.length > 1 ? 'are' : 'is'} the host's own address.`, 'Clients that use the same DNS reach this host.', evidence);
  }
  if (cmp.verdict === 'unknown') {
    return f.unknown(`${name} resolves to ${resolved.join(', ')}, but the host reported no usable address of its own to compare with.`, undefined, evidence);
  }
  return f.problem({
    summary: `${name} resolves to ${cmp.resolvedOnly.join(', ')}, but the host's own addresses are ${cmp.hostOnly.join(', ') || own.map((a) => a.address).join(', ')}: RDP is reaching another machine.`,
    explanation:
      'The DNS record points somewhere else (a stale record, an old IP after a move, or a round-robin leftover), so clients connect to a different machine, which may close the RDP handshake (0x904 / 0x7) or show the wrong certificate. Fix the DNS record (escalate to the DNS owner; on a domain-joined host `Register-DnsClient` re-registers it), flush client caches (`ipconfig /flushdns`), or connect by IP for now. If the address is a NAT or public address that maps to this host, record that mapping in the inventory.',
    evidence,
  });
});
