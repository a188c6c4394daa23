// net-dns-resolution, bot side: what does this name resolve to (A and AAAA), with which resolver, how fast.
import dns from 'node:dns';
import net from 'node:net';
import { normalizeAddress } from './addresses.ts';
import type { IpAddress } from './addresses.ts';
import { elapsedMs, now, runPhase } from './phase.ts';

export interface DnsResolution {
  name: string;
  addresses: IpAddress[];
  /** null when at least one address came back; else ENOTFOUND (NXDOMAIN), ENODATA (name without addresses), ETIMEOUT, ... */
  error: string | null;
  ms: number;
  /** 'literal', 'system (getaddrinfo)', or the DNS servers asked. */
  resolver: string;
}

export interface ResolveOptions {
  /** DNS servers as 'ip' or 'ip:port' ('[v6]:port'); default: the system's resolv.conf servers. */
  servers?: string[];
  timeoutMs: number;
}

type Family = { addresses: IpAddress[] } | { error: string };

/** Names the DNS never answers for; the OS resolves them (hosts file, search suffixes), as the RDP client would. */
function isLocalStyle(name: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  return n === 'localhost' || n.endsWith('.localhost') || !n.includes('.');
}

function pickError(errors: string[]): string {
  // NXDOMAIN on either family means the name does not exist; NODATA on both means it exists without addresses.
  if (errors.includes('ENOTFOUND')) return 'ENOTFOUND';
  return errors.find((e) => e !== 'ENODATA') ?? 'ENODATA';
}

function combine(name: string, families: Family[], t0: number, resolver: string): DnsResolution {
  const addresses = families.flatMap((f) => ('addresses' in f ? f.addresses : []));
  const errors = families.flatMap((f) => ('error' in f ? [f.error] : []));
  return { name, addresses, error: addresses.length > 0 ? null : pickError(errors), ms: elapsedMs(t0), resolver };
}

async function viaLookup(name: string, timeoutMs: number, t0: number): Promise<DnsResolution> {
  const resolver = 'system (getaddrinfo)';
  // getaddrinfo cannot be cancelled; the deadline only stops us waiting for it.
  const family = await runPhase<Family>(
    { timeoutMs, timeout: () => ({ error: 'ETIMEOUT' }), aborted: () => ({ error: 'ECANCELLED' }) },
    (done) => {
      dns.promises.lookup(name, { all: true, verbatim: true }).then(
        (list) => done({ addresses: list.map((a) => ({ address: normalizeAddress(a.address) ?? a.address, family: a.family === 6 ? 6 : 4 })) }),
        (err: NodeJS.ErrnoException) => done({ error: err.code ?? 'ERROR' }),
      );
      return () => {};
    },
  );
  return combine(name, [family], t0, resolver);
}

async function viaResolver(name: string, opts: ResolveOptions, t0: number): Promise<DnsResolution> {
  const timeout = Math.max(1, Math.round(opts.timeoutMs));
  const resolver = new dns.promises.Resolver({ timeout, tries: 1 });
  try {
    if (opts.servers?.length) resolver.setServers(opts.servers);
  } catch (err) {
    return { name, addresses: [], error: (err as NodeJS.ErrnoException).code ?? 'EINVAL', ms: elapsedMs(t0), resolver: opts.servers?.join(', ') ?? '' };
  }
  const label = resolver.getServers().join(', ') || 'none';
  const query = (family: 4 | 6): Promise<Family> =>
    (family === 4 ? resolver.resolve4(name) : resolver.resolve6(name)).then(
      (list) => ({ addresses: list.map((address) => ({ address: normalizeAddress(address) ?? address, family })) }),
      (err: NodeJS.ErrnoException) => ({ error: err.code ?? 'ERROR' }),
    );
  // c-ares honours `timeout`, but a hard deadline guards against retries on several servers adding up.
  const families = await runPhase<Family[]>(
    { timeoutMs: opts.timeoutMs, timeout: () => [{ error: 'ETIMEOUT' }], aborted: () => [{ error: 'ECANCELLED' }] },
    (done) => {
      Promise.all([query(4), query(6)]).then(done, () => done([{ error: 'ERROR' }]));
      return () => resolver.cancel();
    },
  );
  return combine(name, families, t0, label);
}

export async function resolveName(name: string, opts: ResolveOptions): Promise<DnsResolution> {
  const t0 = now();
  try {
    const literal = normalizeAddress(name);
    if (literal !== null) {
      return { name, addresses: [{ address: literal, family: net.isIPv6(literal) ? 6 : 4 }], error: null, ms: elapsedMs(t0), resolver: 'literal' };
    }
    if (!opts.servers?.length && isLocalStyle(name)) return await viaLookup(name, opts.timeoutMs, t0);
    return await viaResolver(name, opts, t0);
  } catch (err) {
    return { name, addresses: [], error: (err as NodeJS.ErrnoException).code ?? 'ERROR', ms: elapsedMs(t0), resolver: 'unknown' };
  }
}
