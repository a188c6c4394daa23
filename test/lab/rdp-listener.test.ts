import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { PeerCertificate } from 'node:tls';
import { once } from 'node:events';
import { startRdpListener } from '../../src/lab/rdp/index.ts';
import type { RdpConnectionOutcome, RdpListener } from '../../src/lab/rdp/index.ts';
import { createCertificate } from '../../src/lab/certs/index.ts';
import type { LabCertificate } from '../../src/lab/certs/index.ts';
import type { FaultInjection, RdpListenerState } from '../../src/lab/types.ts';
import { buildConnectionRequest, parseConnectionConfirm, readTpktFrame } from '../../src/rdp/probes/x224.ts';
import type { ParsedConnectionConfirm } from '../../src/rdp/probes/x224.ts';

// ---------------------------------------------------------------------------------------------
// A minimal probe client (what the bot-side probe will do): CR → CC → TLS on the same socket.

interface ProbeResult {
  confirm?: ParsedConnectionConfirm;
  /** The server closed before a whole TPKT frame arrived. */
  closedBeforeConfirm?: boolean;
  tls?: { protocol: string | null; cert: PeerCertificate };
  tlsError?: string;
}

async function openSocket(port: number): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  await once(socket, 'connect');
  return socket;
}

function readConfirm(socket: Socket): Promise<ParsedConnectionConfirm | undefined> {
  return new Promise((resolve) => {
    let buffered = Buffer.alloc(0);
    const done = (value: ParsedConnectionConfirm | undefined): void => {
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause(); // rdp-probe.md §7: otherwise the ServerHello can be eaten
      resolve(value);
    };
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const r = readTpktFrame(buffered);
      if (r.kind === 'frame') done(parseConnectionConfirm(r.frame));
      else if (r.kind !== 'incomplete') done(parseConnectionConfirm(buffered));
    };
    const onClose = (): void => done(undefined);
    socket.on('data', onData);
    socket.on('close', onClose);
  });
}

async function probe(port: number, requestedProtocols = 0x0b): Promise<ProbeResult> {
  const socket = await openSocket(port);
  socket.on('error', () => undefined);
  socket.write(buildConnectionRequest({ requestedProtocols }));
  const confirm = await readConfirm(socket);
  if (!confirm) return { closedBeforeConfirm: true };
  if (confirm.kind !== 'response' || confirm.selected === 0) {
    socket.destroy();
    return { confirm };
  }
  const t = tlsConnect({ socket, rejectUnauthorized: false, minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
  return new Promise((resolve) => {
    t.once('secureConnect', () => {
      const result: ProbeResult = { confirm, tls: { protocol: t.getProtocol(), cert: t.getPeerCertificate(true) } };
      t.end(); // close_notify; wait for the server to close politely
      t.once('close', () => resolve(result));
    });
    t.once('error', (err: NodeJS.ErrnoException) => {
      t.destroy();
      resolve({ confirm, tlsError: err.code ?? err.message });
    });
  });
}

async function connectError(port: number): Promise<string | undefined> {
  const socket = connect({ port, host: '127.0.0.1' });
  const [err] = (await Promise.race([once(socket, 'error'), once(socket, 'connect').then(() => [undefined])])) as [NodeJS.ErrnoException | undefined];
  socket.destroy();
  return err?.code;
}

// ---------------------------------------------------------------------------------------------

const day = 86_400_000;
let validCert: LabCertificate;
let expiredCert: LabCertificate;
let state: RdpListenerState;
const faults: FaultInjection = { latencyMs: 0, jitterMs: 0, hang: false, reset: false, http500: false };
let listener: RdpListener;
const outcomes: RdpConnectionOutcome[] = [];
let outcomeWaiters: Array<(o: RdpConnectionOutcome) => void> = [];

/** Resolves with the next outcome the server reports (an event, not a sleep). */
function nextOutcome(): Promise<RdpConnectionOutcome> {
  return new Promise((resolve) => outcomeWaiters.push(resolve));
}

function healthy(): RdpListenerState {
  return {
    listening: true,
    portNumber: 3389,
    firewallAllows: true,
    securityLayer: 2,
    nla: false,
    certificate: { certPem: validCert.certPem, keyPem: validCert.keyPem, keyReadable: true },
    tls: { tls10: false, tls11: false, tls12: true },
  };
}

let port3389: number;

before(async () => {
  const now = Date.now();
  validCert = createCertificate({ commonName: 'host1.lab', dnsNames: ['host1.lab'], notBefore: new Date(now - day), notAfter: new Date(now + 365 * day) });
  expiredCert = createCertificate({ commonName: 'host1.lab', notBefore: new Date('2024-01-01T00:00:00Z'), notAfter: new Date('2024-01-02T00:00:00Z') });
  state = healthy();
  listener = await startRdpListener({
    getState: () => state,
    faults,
    onOutcome: (o) => {
      outcomes.push(o);
      const waiters = outcomeWaiters;
      outcomeWaiters = [];
      for (const w of waiters) w(o);
    },
  });
  port3389 = listener.realPortFor(3389) ?? 0;
  assert.ok(port3389 > 0);
});

after(async () => {
  await listener.close();
  const handles = process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap');
  assert.deepEqual(handles, [], 'no listening sockets left after close()');
});

beforeEach(async () => {
  state = healthy();
  Object.assign(faults, { latencyMs: 0, jitterMs: 0, hang: false, reset: false });
  await listener.refresh();
});

test('healthy: NEG_RSP SSL, then TLS 1.2 presenting the model certificate', async () => {
  const r = await probe(port3389);
  assert.deepEqual(r.confirm, { kind: 'response', selected: 1, protocol: 'tls', flags: 0x1f });
  assert.equal(r.tls?.protocol, 'TLSv1.2');
  assert.equal(r.tls?.cert.fingerprint256.replaceAll(':', '').toLowerCase(), validCert.sha256);
  assert.equal(r.tls?.cert.fingerprint.replaceAll(':', ''), validCert.thumbprint);
});

test('expired certificate is served as is', async () => {
  state.certificate = { certPem: expiredCert.certPem, keyPem: expiredCert.keyPem, keyReadable: true };
  const r = await probe(port3389);
  assert.ok(r.tls, r.tlsError);
  assert.ok(new Date(r.tls.cert.valid_to).getTime() < Date.now());
  assert.equal(r.tls.cert.fingerprint256.replaceAll(':', '').toLowerCase(), expiredCert.sha256);
});

test('NLA required: 0xB → HYBRID_EX (TLS follows), 0x3 → HYBRID, SSL only → HYBRID_REQUIRED_BY_SERVER', async () => {
  state.nla = true;
  const ex = await probe(port3389, 0x0b);
  assert.equal(ex.confirm?.kind === 'response' && ex.confirm.protocol, 'hybrid_ex');
  assert.ok(ex.tls, 'TLS handshake precedes CredSSP');
  const hy = await probe(port3389, 0x03);
  assert.equal(hy.confirm?.kind === 'response' && hy.confirm.protocol, 'hybrid');
  const sslOnly = await probe(port3389, 0x01);
  assert.deepEqual(sslOnly.confirm, { kind: 'failure', code: 5, name: 'HYBRID_REQUIRED_BY_SERVER' });
});

test('SecurityLayer 0: TLS offers → SSL_NOT_ALLOWED_BY_SERVER; RDP only → RSP 0', async () => {
  state.securityLayer = 0;
  const r = await probe(port3389, 0x0b);
  assert.deepEqual(r.confirm, { kind: 'failure', code: 2, name: 'SSL_NOT_ALLOWED_BY_SERVER' });
  const rdp = await probe(port3389, 0x00);
  assert.equal(rdp.confirm?.kind === 'response' && rdp.confirm.selected, 0);
});

test('SecurityLayer 2 and client offers only RDP → SSL_REQUIRED_BY_SERVER', async () => {
  const r = await probe(port3389, 0x00);
  assert.deepEqual(r.confirm, { kind: 'failure', code: 1, name: 'SSL_REQUIRED_BY_SERVER' });
});

test('no certificate → SSL_CERT_NOT_ON_SERVER', async () => {
  state.certificate = null;
  const r = await probe(port3389);
  assert.deepEqual(r.confirm, { kind: 'failure', code: 3, name: 'SSL_CERT_NOT_ON_SERVER' });
});

test('private key unreadable → NEG_RSP SSL, then the connection drops on the ClientHello (0x904/0x7)', async () => {
  state.certificate = { certPem: validCert.certPem, keyPem: validCert.keyPem, keyReadable: false };
  const outcome = nextOutcome();
  const r = await probe(port3389);
  assert.equal(r.confirm?.kind, 'response');
  assert.equal(r.tls, undefined);
  assert.equal(r.tlsError, 'ECONNRESET');
  assert.equal((await outcome).kind, 'tls-dropped');
});

test('all Schannel protocols disabled → TLS fails', async () => {
  state.tls = { tls10: false, tls11: false, tls12: false };
  const r = await probe(port3389);
  assert.equal(r.confirm?.kind, 'response');
  assert.equal(r.tls, undefined);
  assert.ok(r.tlsError);
});

test('only TLS 1.0 enabled → handshake in TLSv1', async () => {
  state.tls = { tls10: true, tls11: false, tls12: false };
  const r = await probe(port3389);
  assert.equal(r.tls?.protocol, 'TLSv1', r.tlsError);
  // A client with Node's default policy (TLS 1.2 minimum) cannot agree on a version.
  const socket = await openSocket(port3389);
  socket.write(buildConnectionRequest());
  assert.equal((await readConfirm(socket))?.kind, 'response');
  const outcome = nextOutcome();
  const strict = tlsConnect({ socket, rejectUnauthorized: false });
  const [err] = (await once(strict, 'error').catch((e: unknown) => [e])) as [NodeJS.ErrnoException];
  strict.destroy();
  assert.match(String(err.code), /^ERR_SSL_/);
  assert.equal((await outcome).kind, 'tls-failed');
});

test('not listening → ECONNREFUSED; back to listening + refresh() → accepted on the SAME real port', async () => {
  state.listening = false;
  await listener.refresh();
  assert.equal(await connectError(port3389), 'ECONNREFUSED');
  state.listening = true;
  await listener.refresh();
  assert.equal(listener.realPortFor(3389), port3389);
  const r = await probe(port3389);
  assert.ok(r.tls, r.tlsError);
});

test('PortNumber 3389 → 3390: old real port refused, new real port answers; and back', async () => {
  state.portNumber = 3390;
  await listener.refresh();
  const port3390 = listener.realPortFor(3390);
  assert.ok(port3390 && port3390 !== port3389);
  assert.equal(await connectError(port3389), 'ECONNREFUSED');
  const r = await probe(port3390);
  assert.ok(r.tls, r.tlsError);
  state.portNumber = 3389;
  await listener.refresh();
  assert.equal(await connectError(port3390), 'ECONNREFUSED');
  assert.ok((await probe(port3389)).tls);
});

test('accepted before refresh() caught up: closed at once, and the listener refreshes itself', async () => {
  state.listening = false; // no refresh() call
  const outcome = nextOutcome();
  const r = await probe(port3389);
  assert.equal(r.closedBeforeConfirm, true);
  assert.equal((await outcome).kind, 'refused');
  // The self-triggered refresh is queued behind; awaiting our own refresh waits for it.
  await listener.refresh();
  assert.equal(await connectError(port3389), 'ECONNREFUSED');
});

test('firewall blocks → connection accepted, no bytes within 300 ms', async () => {
  state.firewallAllows = false;
  const socket = await openSocket(port3389);
  socket.write(buildConnectionRequest());
  let bytes = 0;
  socket.on('data', (c: Buffer) => (bytes += c.length));
  socket.setTimeout(300);
  await once(socket, 'timeout');
  assert.equal(bytes, 0);
  socket.destroy();
});

test('faults: hang never answers, reset destroys, latency delays the confirm', async () => {
  faults.hang = true;
  const hung = await openSocket(port3389);
  hung.write(buildConnectionRequest());
  let bytes = 0;
  hung.on('data', (c: Buffer) => (bytes += c.length));
  hung.setTimeout(200);
  await once(hung, 'timeout');
  assert.equal(bytes, 0);
  hung.destroy();

  faults.hang = false;
  faults.reset = true;
  const reset = connect({ port: port3389, host: '127.0.0.1' });
  const [err] = (await once(reset, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNRESET'); // before or after 'connect', depending on timing
  reset.destroy();

  faults.reset = false;
  faults.latencyMs = 150;
  const t0 = performance.now();
  const slow = await probe(port3389);
  assert.ok(slow.tls);
  assert.ok(performance.now() - t0 >= 140, 'confirm delayed by latencyMs');
});

test('stats count connections per model port and outcome', () => {
  assert.ok(listener.stats.connections >= 15);
  assert.ok((listener.stats.byModelPort[3389] ?? 0) > 0);
  assert.ok((listener.stats.byModelPort[3390] ?? 0) > 0);
  assert.ok((listener.stats.byOutcome.tls ?? 0) > 0);
  assert.ok((listener.stats.byOutcome.failure ?? 0) > 0);
  assert.ok(outcomes.length > 0);
});
