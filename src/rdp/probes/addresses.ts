// IP address normalisation and the DNS-vs-host comparison of net-dns-resolution.
import net from 'node:net';

export interface IpAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Canonical text for comparison: brackets and zone ids dropped, IPv6 in RFC 5952 form (lower case,
 * longest zero run compressed), IPv4-mapped IPv6 (::ffff:a.b.c.d) folded to plain IPv4.
 * Returns null for text that is not an IP address.
 */
export function normalizeAddress(text: string): string | null {
  let a = text.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  a = a.replace(/%.*$/, '');
  if (net.isIPv4(a)) return a.split('.').map((o) => String(Number(o))).join('.');
  if (!net.isIPv6(a)) return null;
  // The WHATWG URL serializer writes IPv6 hosts in RFC 5952 form.
  const canonical = new URL(`http://[${a}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (mapped?.[1] && mapped[2]) {
    const hi = parseInt(mapped[1], 16);
    const lo = parseInt(mapped[2], 16);
    return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.');
  }
  return canonical;
}

export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

export function isLinkLocal(address: string): boolean {
  return address.startsWith('169.254.') || /^fe[89ab][0-9a-f]:/.test(address);
}

export type AddressVerdict = 'match' | 'mismatch' | 'unresolved' | 'unknown';

export interface AddressComparison {
  /** match: every resolved address is the host's; mismatch: at least one is not; unresolved: the name gave no
   *  address; unknown: the host reported no usable address to compare with. */
  verdict: AddressVerdict;
  matching: string[];
  resolvedOnly: string[];
  hostOnly: string[];
}

function normalizedSet(list: readonly { address: string }[]): string[] {
  const out = new Set<string>();
  for (const { address } of list) {
    const n = normalizeAddress(address);
    if (n) out.add(n);
  }
  return [...out];
}

/**
 * Compares what a name resolves to with the host's own addresses (read over WinRM). The host's
 * loopback and link-local addresses are ignored, since clients never reach it through them, unless
 * the name itself resolves to such an address (a test name, or a hosts-file entry).
 */
export function compareAddresses(resolved: { addresses: readonly IpAddress[] } | readonly IpAddress[], hostOwn: readonly IpAddress[]): AddressComparison {
  const res = normalizedSet('addresses' in resolved ? resolved.addresses : resolved);
  const keepLoopback = res.some(isLoopback);
  const keepLinkLocal = res.some(isLinkLocal);
  const host = normalizedSet(hostOwn).filter((a) => (keepLoopback || !isLoopback(a)) && (keepLinkLocal || !isLinkLocal(a)));
  const hostSet = new Set(host);
  const resSet = new Set(res);
  const matching = res.filter((a) => hostSet.has(a));
  const resolvedOnly = res.filter((a) => !hostSet.has(a));
  const hostOnly = host.filter((a) => !resSet.has(a));
  let verdict: AddressVerdict;
  if (res.length === 0) verdict = 'unresolved';
  else if (host.length === 0) verdict = 'unknown';
  // One foreign address is enough: clients may pick it (AAAA first, round-robin).
  else verdict = resolvedOnly.length === 0 ? 'match' : 'mismatch';
  return { verdict, matching, resolvedOnly, hostOnly };
}
