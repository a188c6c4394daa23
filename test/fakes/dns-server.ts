// Tiny authoritative DNS server over UDP for tests: A and AAAA answers, NXDOMAIN for unknown names,
// NOERROR with no answers for a known name without records of the asked type. RFC 1035 §4.
import dgram from 'node:dgram';
import net from 'node:net';

export interface DnsZone {
  /** Lower-case name without trailing dot → its addresses. */
  [name: string]: { a?: string[]; aaaa?: string[] };
}

export interface FakeDnsServer {
  /** 'ip:port', ready for Resolver.setServers / resolveName({ servers }). */
  address: string;
  port: number;
  /** Names asked so far, with their qtype ('A', 'AAAA', or the number). */
  queries: { name: string; type: string }[];
  close(): Promise<void>;
}

const TYPE_A = 1;
const TYPE_AAAA = 28;
const CLASS_IN = 1;
const RCODE_NXDOMAIN = 3;
const RCODE_FORMERR = 1;
const TTL = 60;

interface Question {
  id: number;
  flags: number;
  name: string;
  type: number;
  cls: number;
  /** The question section as received, echoed back verbatim. */
  raw: Buffer;
}

/** Parses the header and the first question; null for anything we cannot read (dropped, like a real server would FORMERR). */
export function parseQuery(msg: Buffer): Question | null {
  if (msg.length < 12) return null;
  if (msg.readUInt16BE(4) < 1) return null;
  const labels: string[] = [];
  let off = 12;
  while (true) {
    const len = msg[off];
    if (len === undefined) return null;
    if (len === 0) break;
    if (len > 63) return null; // compression is not used in questions
    labels.push(msg.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  off += 1;
  if (off + 4 > msg.length) return null;
  return {
    id: msg.readUInt16BE(0),
    flags: msg.readUInt16BE(2),
    name: labels.join('.').toLowerCase(),
    type: msg.readUInt16BE(off),
    cls: msg.readUInt16BE(off + 2),
    raw: msg.subarray(12, off + 4),
  };
}

/** IPv6 text → 16 bytes (handles '::' and an embedded IPv4 tail). */
export function ipv6Bytes(address: string): Buffer {
  if (net.isIPv6(address) === false) throw new Error(`not an IPv6 address: ${address}`);
  let text = address;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    text = `${text.slice(0, -v4[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function answer(type: number, rdata: Buffer): Buffer {
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // pointer to the question's name at offset 12
  rr.writeUInt16BE(type, 2);
  rr.writeUInt16BE(CLASS_IN, 4);
  rr.writeUInt32BE(TTL, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([rr, rdata]);
}

export function buildResponse(q: Question, zone: DnsZone): Buffer {
  const entry = Object.hasOwn(zone, q.name) ? zone[q.name] : undefined;
  const answers: Buffer[] = [];
  let rcode = 0;
  if (q.cls !== CLASS_IN) rcode = RCODE_FORMERR;
  else if (!entry) rcode = RCODE_NXDOMAIN;
  else if (q.type === TYPE_A) for (const a of entry.a ?? []) answers.push(answer(TYPE_A, Buffer.from(a.split('.').map(Number))));
  else if (q.type === TYPE_AAAA) for (const a of entry.aaaa ?? []) answers.push(answer(TYPE_AAAA, ipv6Bytes(a)));
  const header = Buffer.alloc(12);
  header.writeUInt16BE(q.id, 0);
  // QR=1, opcode copied, AA=1, RD copied, RA=0, rcode.
  header.writeUInt16BE(0x8000 | (q.flags & 0x7800) | 0x0400 | (q.flags & 0x0100) | rcode, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(answers.length, 6);
  return Buffer.concat([header, q.raw, ...answers]);
}

const typeName = (t: number): string => (t === TYPE_A ? 'A' : t === TYPE_AAAA ? 'AAAA' : String(t));

export async function startDnsServer(zone: DnsZone): Promise<FakeDnsServer> {
  const normalized: DnsZone = {};
  for (const [name, rec] of Object.entries(zone)) normalized[name.toLowerCase().replace(/\.$/, '')] = rec;
  const socket = dgram.createSocket('udp4');
  const queries: FakeDnsServer['queries'] = [];
  socket.on('message', (msg, rinfo) => {
    const q = parseQuery(msg);
    if (!q) return;
    queries.push({ name: q.name, type: typeName(q.type) });
    socket.send(buildResponse(q, normalized), rinfo.port, rinfo.address);
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
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
