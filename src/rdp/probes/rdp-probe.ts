// net-rdp-probe: TCP connect → X.224 Connection Request with RDP_NEG_REQ → one TPKT frame back →
// (if a TLS-based protocol was selected) TLS on the same socket → certificate → close_notify.
// Sends no credentials. Never throws: every outcome, including bad input, is a result.
import type { Socket } from 'node:net';
import {
  buildConnectionRequest,
  parseConnectionConfirm,
  protocolName,
  protocolNames,
  PROTOCOL_HYBRID,
  PROTOCOL_HYBRID_EX,
  PROTOCOL_RDSAAD,
  PROTOCOL_RDSTLS,
  PROTOCOL_SSL,
} from './x224.ts';
import type { RdpProbeOptions, RdpProbeResult, RdpProbeStage } from './types.ts';
import { connectTcp } from './tcp-connect.ts';
import { readOneFrame } from './read-frame.ts';
import type { FrameRead } from './read-frame.ts';
import { closeTls, tlsHandshake } from './tls-handshake.ts';
import { summarizeCertificate } from './certificate.ts';
import { failureMeaning } from './explain.ts';
import { elapsedMs, now } from './phase.ts';

export const DEFAULT_REQUESTED_PROTOCOLS = 0x0b;
export const DEFAULT_TIMEOUT_MS = 5000;
/** How long to wait for the server's side of the close after our close_notify. */
const CLOSE_WAIT_MS = 300;

// Protocols whose next step is a TLS handshake on the same stream (CredSSP and RDSTLS run inside TLS).
const TLS_FIRST = new Set([PROTOCOL_SSL, PROTOCOL_HYBRID, PROTOCOL_RDSTLS, PROTOCOL_HYBRID_EX, PROTOCOL_RDSAAD]);

const LEGACY_TLS = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);

function badInput(opts: RdpProbeOptions): string | null {
  if (typeof opts.host !== 'string' || opts.host === '') return 'host is empty';
  if (!Number.isInteger(opts.port) || opts.port < 1 || opts.port > 65535) return `port ${String(opts.port)} is not in 1-65535`;
  const p = opts.requestedProtocols;
  if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 0xffffffff)) return `requestedProtocols ${String(p)} is not a 32-bit mask`;
  if (opts.timeoutMs !== undefined && !(opts.timeoutMs >= 0)) return `timeoutMs ${String(opts.timeoutMs)} is not a non-negative number`;
  return null;
}

function frameFailure(read: Exclude<FrameRead, { kind: 'frame' }>, waitedMs: number): { code: string; message: string } {
  switch (read.kind) {
    case 'timeout':
      return { code: 'ETIMEDOUT', message: `connected, but no Connection Confirm within ${waitedMs} ms (the listener is silent)` };
    case 'closed':
      return { code: 'NO_CONFIRM', message: `the server closed the connection before sending a Connection Confirm (${read.received} bytes received)` };
    case 'not-tpkt':
      return { code: 'NOT_TPKT', message: `reply is not TPKT (first bytes ${read.firstBytes} …): not an RDP listener` };
    case 'bad-length':
      return { code: 'BAD_CONFIRM', message: `TPKT length ${read.length} is too small for a Connection Confirm` };
    case 'error':
      return { code: read.code, message: `connection failed before the Connection Confirm: ${read.message}` };
    case 'aborted':
      return { code: 'ABORT_ERR', message: 'probe aborted' };
  }
}

export async function probeRdp(opts: RdpProbeOptions): Promise<RdpProbeResult> {
  const t0 = now();
  const r: RdpProbeResult = {
    target: { host: opts.host, port: opts.port },
    ok: false,
    stage: 'tcp',
    error: null,
    tcp: { ok: false, ms: null, error: null },
    negotiation: null,
    tls: null,
    certificate: null,
    timingsMs: { tcpConnect: null, x224: null, tlsHandshake: null, total: 0 },
  };
  const end = (stage: RdpProbeStage, error: { code: string; message: string } | null): RdpProbeResult => {
    r.stage = stage;
    r.error = error;
    r.ok = error === null;
    r.timingsMs.total = elapsedMs(t0);
    return r;
  };
  let socket: Socket | undefined;
  try {
    const invalid = badInput(opts);
    if (invalid) return end('tcp', { code: 'ERR_INVALID_ARG', message: invalid });
    const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const requested = opts.requestedProtocols ?? DEFAULT_REQUESTED_PROTOCOLS;
    // One budget for the whole probe; each phase gets what is left of it.
    const deadline = t0 + timeoutMs;
    const left = (): number => Math.max(0, Math.round(deadline - now()));

    // 1. TCP
    const tcp = await connectTcp(opts.host, opts.port, { timeoutMs: left(), signal: opts.signal, connect: opts.connect });
    r.timingsMs.tcpConnect = tcp.ms;
    if (!tcp.ok) {
      r.tcp = { ok: false, ms: null, error: tcp.code };
      return end(tcp.stage, { code: tcp.code, message: tcp.message });
    }
    socket = tcp.socket;
    r.tcp = { ok: true, ms: tcp.ms, error: null };
    r.stage = 'x224'; // tracked as we go so an unexpected throw is still reported at the right stage

    // 2. X.224 Connection Request / Confirm
    r.negotiation = { requested: protocolNames(requested), selected: null, failure: null, failureCode: null, flags: null };
    const tx = now();
    const budget = left();
    socket.write(buildConnectionRequest({ requestedProtocols: requested }));
    const read = await readOneFrame(socket, budget, opts.signal);
    r.timingsMs.x224 = elapsedMs(tx);
    if (read.kind !== 'frame') return end('x224', frameFailure(read, budget));
    const cc = parseConnectionConfirm(read.frame);
    switch (cc.kind) {
      case 'failure':
        r.negotiation.failure = cc.name;
        r.negotiation.failureCode = cc.code;
        return end('x224', { code: 'RDP_NEG_FAILURE', message: `the server refused the negotiation: ${cc.name} (0x${cc.code.toString(16)}): ${failureMeaning(cc.code)}` });
      case 'disconnect':
        return end('x224', { code: 'DISCONNECT', message: 'the server rejected the Connection Request with an MCS Disconnect Provider Ultimatum' });
      case 'not-tpkt':
        return end('x224', { code: 'NOT_TPKT', message: `reply is not TPKT (first bytes ${cc.firstBytes} …)` });
      case 'malformed':
        return end('x224', { code: 'BAD_CONFIRM', message: `malformed Connection Confirm: ${cc.reason}` });
      case 'no-negotiation':
        // A CC without rdpNegData means Standard RDP Security (pre-RDP 5.2 style server); flags stay null.
        r.negotiation.selected = 'rdp';
        return end('done', null);
      case 'response':
        break;
    }
    r.negotiation.selected = protocolName(cc.selected);
    r.negotiation.flags = cc.flags;
    // Standard RDP Security: no TLS to inspect. Reported as is; the check layer judges it.
    if (!TLS_FIRST.has(cc.selected)) return end('done', null);

    // 3. TLS on the same socket
    r.stage = 'tls';
    const checkName = opts.servername ?? opts.host;
    const hs = await tlsHandshake(socket, { servername: checkName, strict: opts.strictTls ?? false, timeoutMs: left(), signal: opts.signal });
    r.timingsMs.tlsHandshake = hs.ms;
    if (!hs.ok) return end('tls', { code: hs.code, message: hs.message });
    const version = hs.socket.getProtocol() ?? 'unknown';
    r.tls = { version, cipher: hs.socket.getCipher().standardName, legacy: LEGACY_TLS.has(version) };
    r.certificate = summarizeCertificate(hs.socket, checkName);
    await closeTls(hs.socket, CLOSE_WAIT_MS);
    return end('done', null);
  } catch (err) {
    // A bug or an unexpected throw from Node: still a result, at the stage reached.
    const e = err as NodeJS.ErrnoException;
    return end(r.stage, { code: e.code ?? 'INTERNAL', message: e.message ?? String(err) });
  } finally {
    socket?.destroy();
  }
}
