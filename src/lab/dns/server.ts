// The lab's DNS: a small authoritative server over UDP on 127.0.0.1 that answers A and AAAA for the
// lab's host names, so name resolution (and a name pointing at the wrong machine) is tested for real.
// Packet encoding is dns-packet's; this file only decides the answers.
import dgram from 'node:dgram';
import dnsPacket from 'dns-packet';

export interface DnsZone {
  /** Lower-case name without trailing dot → its addresses. */
  [name: string]: { a?: string[]; aaaa?: string[] };
}

export interface LabDnsServer {
  /** 'ip:port', ready for Resolver.setServers / resolveName({ servers }). */
  address: string;
  port: number;
  /** Names asked so far, with their qtype ('A', 'AAAA', ...). */
  queries: { name: string; type: string }[];
  /** Adds or replaces a name (fleets, tests). */
  set(name: string, record: { a?: string[]; aaaa?: string[] }): void;
  close(): Promise<void>;
}

const TTL = 60;
const normalize = (name: string): string => name.toLowerCase().replace(/\.$/, '');

/** The answer to one query: NXDOMAIN for unknown names, NOERROR with no answers when the type has no records. */
export function answer(query: dnsPacket.Packet, zone: DnsZone): Buffer | null {
  const q = query.questions?.[0];
  if (!q || query.type !== 'query') return null;
  const rec = zone[normalize(q.name)];
  const addresses = rec ? (q.type === 'A' ? rec.a : q.type === 'AAAA' ? rec.aaaa : undefined) ?? [] : [];
  const answers = addresses.map((data) => ({ type: q.type as 'A' | 'AAAA', class: 'IN' as const, name: q.name, ttl: TTL, data }));
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED) | (rec ? 0 : 3), // rcode 3 = NXDOMAIN
    questions: [q],
    answers,
  });
}

export async function startDnsServer(zone: DnsZone = {}): Promise<LabDnsServer> {
  const records: DnsZone = {};
  for (const [name, rec] of Object.entries(zone)) records[normalize(name)] = rec;
  const socket = dgram.createSocket('udp4');
  const queries: LabDnsServer['queries'] = [];
  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return; // unreadable: dropped, the client times out as with a real server's FORMERR-less drop
    }
    const q = query.questions?.[0];
    if (q) queries.push({ name: q.name, type: q.type });
    const reply = answer(query, records);
    if (reply) socket.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve());
  });
  const { port } = socket.address();
  return {
    address: `127.0.0.1:${port}`,
    port,
    queries,
    set: (name, record) => {
      records[normalize(name)] = record;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
