// The lab's RDP listener: one real 127.0.0.1 TCP server per model port, answering the X.224
// negotiation and the TLS handshake the way the simulated host's TermService would.
//
// Refusal is real: when the model is not listening on a model port (TermService stopped, RDP
// disabled, listener down, PortNumber moved elsewhere) the server for that port is closed, so a
// client gets ECONNREFUSED. When the port becomes active again it re-listens on the SAME real port
// (the inventory advertises it). refresh() applies the model; the orchestrator calls it after every
// model change. As a safety net, a connection accepted while the model says "not listening" is
// destroyed at once and triggers a refresh.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { setTimeout as delay } from 'node:timers/promises';
import type { FaultInjection, RdpListenerState } from '../types.ts';
import {
  buildConnectionConfirm,
  parseConnectionRequest,
  PROTOCOL_RDP,
  readTpktFrame,
  RESTRICTED_ADMIN_MODE_SUPPORTED,
  EXTENDED_CLIENT_DATA_SUPPORTED,
  DYNVC_GFX_PROTOCOL_SUPPORTED,
  NEGRSP_FLAG_RESERVED,
  REDIRECTED_AUTHENTICATION_MODE_SUPPORTED,
} from '../../rdp/probes/x224.ts';
import { negotiate } from './negotiate.ts';
import { secureContextFor, tlsPolicy } from './tls-policy.ts';

/** RDP_NEG_RSP flags: recent Windows builds advertise all of these; probes only read selectedProtocol. */
const RSP_FLAGS =
  EXTENDED_CLIENT_DATA_SUPPORTED | DYNVC_GFX_PROTOCOL_SUPPORTED | NEGRSP_FLAG_RESERVED |
  RESTRICTED_ADMIN_MODE_SUPPORTED | REDIRECTED_AUTHENTICATION_MODE_SUPPORTED;

export interface RdpListenerOptions {
  /** Read at accept time for every connection. */
  getState: () => RdpListenerState;
  /** Read at accept time too; the lab mutates this object while running. */
  faults?: FaultInjection;
  /** Real loopback port for a model port. Absent, or 0 returned: the OS picks a free port once. */
  portMap?: (modelPort: number) => number;
  /** Idle limit for silent and half-finished connections (default 60 s). */
  idleTimeoutMs?: number;
  /** After selecting Standard RDP Security (which the lab does not speak), close after this (default 2 s). */
  rdpSecurityCloseMs?: number;
  /** Called once per accepted connection when its fate is known (lab event log, tests). */
  onOutcome?: (outcome: RdpConnectionOutcome) => void;
}

export type RdpOutcomeKind =
  | 'refused' // accepted by a server the model says is down (before refresh() caught up): destroyed
  | 'reset' // fault: RST right after accept
  | 'silent' // firewall blocks or fault hang: never answered
  | 'not-rdp' // first frame not a valid Connection Request: dropped
  | 'failure' // RDP_NEG_FAILURE sent
  | 'rdp' // Standard RDP Security selected (or legacy CC), closed shortly after
  | 'drop' // legacy client while TLS/NLA required: closed without a confirm
  | 'tls-dropped' // TLS selected but the server cannot do TLS (key unreadable, no protocol): closed on ClientHello
  | 'tls' // TLS handshake completed
  | 'tls-failed'; // TLS handshake error (e.g. no shared version)

export interface RdpConnectionOutcome {
  modelPort: number;
  realPort: number;
  kind: RdpOutcomeKind;
  requestedProtocols?: number | undefined;
  selected?: number;
  failureCode?: number;
  tlsProtocol?: string | null;
  error?: string;
}

export interface RdpListenerStats {
  connections: number;
  byModelPort: Record<number, number>;
  byOutcome: Partial<Record<RdpOutcomeKind, number>>;
}

interface PortEntry {
  modelPort: number;
  realPort: number;
  server: Server | null;
}

const MAX_BIND_ATTEMPTS = 5;
const HOST = '127.0.0.1';

export class RdpListener {
  readonly stats: RdpListenerStats = { connections: 0, byModelPort: {}, byOutcome: {} };
  private readonly entries = new Map<number, PortEntry>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  // Port changes are serialised so concurrent refresh()/listen() calls cannot double-bind.
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly idleTimeoutMs: number;
  private readonly rdpSecurityCloseMs: number;

  constructor(private readonly opts: RdpListenerOptions) {
    this.idleTimeoutMs = opts.idleTimeoutMs ?? 60_000;
    this.rdpSecurityCloseMs = opts.rdpSecurityCloseMs ?? 2_000;
  }

  /**
   * Reserves a real port for a model port and returns it; the server accepts only while the model
   * listens on that port. For an inactive port with no portMap the OS-picked port is released until
   * needed (a small window in which another socket could take it; binding then retries and fails loudly).
   */
  listen(modelPort: number): Promise<number> {
    return this.serial(async () => {
      const entry = await this.ensureEntry(modelPort);
      await this.apply();
      return entry.realPort;
    });
  }

  /** Applies the current model: closes servers for ports the model does not listen on, opens the one it does. */
  refresh(): Promise<void> {
    return this.serial(async () => {
      const state = this.opts.getState();
      if (state.listening && !this.entries.has(state.portNumber)) await this.ensureEntry(state.portNumber);
      await this.apply();
    });
  }

  realPortFor(modelPort: number): number | undefined {
    return this.entries.get(modelPort)?.realPort;
  }

  /** Stops every server and destroys every connection; afterwards the listener holds no handles. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue.catch(() => undefined);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await Promise.all([...this.entries.values()].map((entry) => this.stop(entry, true)));
    // A server's 'close' event comes before libuv's close phase releases its handle; one more
    // loop turn (check phase, then close phase) so callers see no handle left once this resolves.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
  }

  // -------------------------------------------------------------------------------------------
  // Port management

  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => (this.closed ? Promise.reject(new Error('RDP listener closed')) : task()));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async ensureEntry(modelPort: number): Promise<PortEntry> {
    let entry = this.entries.get(modelPort);
    if (entry) return entry;
    let realPort = this.opts.portMap?.(modelPort) ?? 0;
    if (realPort === 0) {
      // Learn a free port number now so it stays stable for this model port.
      const probe = await this.bind(0, modelPort);
      realPort = (probe.address() as AddressInfo).port;
      entry = { modelPort, realPort, server: probe };
    } else {
      entry = { modelPort, realPort, server: null };
    }
    this.entries.set(modelPort, entry);
    return entry;
  }

  private async apply(): Promise<void> {
    const state = this.opts.getState();
    for (const entry of this.entries.values()) {
      const wanted = state.listening && state.portNumber === entry.modelPort;
      if (wanted && !entry.server) entry.server = await this.bind(entry.realPort, entry.modelPort);
      else if (!wanted && entry.server) await this.stop(entry);
    }
  }

  /**
   * Listens on 127.0.0.1:port with a fresh server (a closed net.Server still tracking its old
   * connections would emit a stray 'close' later). Re-binding a port we just closed normally works
   * at once (Node sets SO_REUSEADDR; TIME_WAIT does not block), but an outgoing connection may
   * briefly hold it as its local port, so EADDRINUSE is retried with a short backoff.
   */
  private async bind(port: number, modelPort: number): Promise<Server> {
    for (let attempt = 1; ; attempt++) {
      const server = createServer((socket) => this.onConnection(socket, modelPort));
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen({ port, host: HOST, exclusive: true }, () => {
            server.off('error', reject);
            resolve();
          });
        });
        server.on('error', () => undefined); // post-listen errors (EMFILE on accept) must not crash the lab
        return server;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= MAX_BIND_ATTEMPTS) throw err;
        await delay(10 * 2 ** attempt);
      }
    }
  }

  /**
   * Closes the listening socket (new connections are refused); accepted connections live on.
   * The port is closed synchronously; the close callback waits for accepted connections, so only
   * close() (which has destroyed them all) waits for it, to leave no handle behind.
   */
  private stop(entry: PortEntry, drain = false): Promise<void> {
    const server = entry.server;
    entry.server = null;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      server.close(() => drain && resolve());
      if (!drain) setImmediate(resolve);
    });
  }

  // -------------------------------------------------------------------------------------------
  // Connections

  private onConnection(socket: Socket, modelPort: number): void {
    const realPort = socket.localPort ?? 0;
    this.stats.connections++;
    this.stats.byModelPort[modelPort] = (this.stats.byModelPort[modelPort] ?? 0) + 1;
    this.track(socket);
    socket.on('error', () => undefined); // client resets are routine
    let reported = false;
    const report = (o: Omit<RdpConnectionOutcome, 'modelPort' | 'realPort'>): void => {
      if (reported) return;
      reported = true;
      this.stats.byOutcome[o.kind] = (this.stats.byOutcome[o.kind] ?? 0) + 1;
      this.opts.onOutcome?.({ modelPort, realPort, ...o });
    };

    if (this.closed) return void socket.destroy();
    const state = this.opts.getState();
    const faults = this.opts.faults;
    if (!state.listening || state.portNumber !== modelPort) {
      report({ kind: 'refused' });
      socket.destroy();
      void this.refresh().catch(() => undefined);
      return;
    }
    if (faults?.reset) {
      report({ kind: 'reset' });
      socket.resetAndDestroy();
      return;
    }
    socket.setTimeout(this.idleTimeoutMs, () => socket.destroy());
    if (!state.firewallAllows || faults?.hang) {
      // A filtered port that still completes the handshake: swallow bytes, never answer.
      report({ kind: 'silent' });
      socket.on('end', () => socket.destroy());
      socket.resume();
      return;
    }

    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const read = readTpktFrame(buffered);
      if (read.kind === 'incomplete') return;
      socket.off('data', onData);
      // Keep anything after the request (an eager ClientHello) for the TLS layer; pause so no
      // data event fires with nobody listening.
      socket.pause();
      if (read.kind !== 'frame') {
        report({ kind: 'not-rdp', error: read.kind });
        return void socket.destroy();
      }
      const request = parseConnectionRequest(read.frame);
      if (!request.ok) {
        report({ kind: 'not-rdp', error: request.reason });
        return void socket.destroy();
      }
      if (read.rest.length > 0) socket.unshift(read.rest);
      const answer = negotiate(state, request.requestedProtocols);
      const requestedProtocols = request.requestedProtocols;
      const jitter = faults ? Math.random() * faults.jitterMs : 0;
      this.after(socket, (faults?.latencyMs ?? 0) + jitter, () => {
        switch (answer.kind) {
          case 'drop':
            report({ kind: 'drop', requestedProtocols });
            return void socket.destroy();
          case 'failure':
            report({ kind: 'failure', requestedProtocols, failureCode: answer.code });
            return void socket.end(buildConnectionConfirm({ failure: answer.code }));
          case 'legacy':
            report({ kind: 'rdp', requestedProtocols });
            socket.write(buildConnectionConfirm({ noNegotiation: true }));
            return this.closeSoon(socket);
          case 'select':
            socket.write(buildConnectionConfirm({ selected: answer.protocol, flags: RSP_FLAGS }));
            if (answer.protocol === PROTOCOL_RDP) {
              report({ kind: 'rdp', requestedProtocols, selected: answer.protocol });
              return this.closeSoon(socket);
            }
            return this.startTls(socket, state, (o) => report({ ...o, requestedProtocols, selected: answer.protocol }));
        }
      });
    };
    socket.on('data', onData);
  }

  /** Standard RDP Security was selected; the lab stops here, like a server that gives up after MCS. */
  private closeSoon(socket: Socket): void {
    socket.on('data', () => socket.end()); // the MCS Connect Initial, which we cannot answer
    socket.on('end', () => socket.end());
    socket.resume();
    this.after(socket, this.rdpSecurityCloseMs, () => socket.end());
  }

  private startTls(
    socket: Socket,
    state: RdpListenerState,
    report: (o: Omit<RdpConnectionOutcome, 'modelPort' | 'realPort'>) => void,
  ): void {
    const cert = state.certificate;
    const policy = tlsPolicy(state.tls);
    if (!cert || !cert.keyReadable || !policy) {
      // Schannel fails once it must use the key or finds no protocol: the client's ClientHello is
      // answered by a closed connection, which mstsc reports as 0x904 / extended 0x7.
      const drop = (): void => {
        report({ kind: 'tls-dropped', error: !cert || !cert.keyReadable ? 'private key not readable' : 'no TLS protocol enabled' });
        socket.destroy();
      };
      socket.once('data', drop);
      socket.once('end', drop);
      socket.resume();
      return;
    }
    const tlsSocket = new TLSSocket(socket, { isServer: true, secureContext: secureContextFor(cert, policy) });
    this.track(tlsSocket);
    tlsSocket.on('error', (err) => {
      report({ kind: 'tls-failed', error: (err as NodeJS.ErrnoException).code ?? err.message });
      tlsSocket.destroy();
    });
    tlsSocket.once('secure', () => {
      report({ kind: 'tls', tlsProtocol: tlsSocket.getProtocol() });
      // No CredSSP: discard whatever the client sends and close politely when it does.
      tlsSocket.on('end', () => tlsSocket.end());
      tlsSocket.resume();
    });
  }

  /** A timer tied to a connection: cleared when the socket closes or the listener is closed. */
  private after(socket: Socket, ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!socket.destroyed) fn();
    }, ms);
    this.timers.add(timer);
    socket.once('close', () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    });
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }
}

export interface StartRdpListenerOptions extends RdpListenerOptions {
  /** Model ports to reserve real ports for up front; default: the model's current PortNumber. */
  modelPorts?: number[];
}

/** Creates a listener, reserves the given model ports and applies the current model. */
export async function startRdpListener(opts: StartRdpListenerOptions): Promise<RdpListener> {
  const listener = new RdpListener(opts);
  const ports = opts.modelPorts ?? [opts.getState().portNumber];
  try {
    for (const port of ports) await listener.listen(port);
    await listener.refresh();
    // Like TermService, which loads its certificate when it starts, not on the first connection.
    const { certificate, tls } = opts.getState();
    const policy = tlsPolicy(tls);
    if (certificate?.keyReadable && policy) secureContextFor(certificate, policy);
  } catch (err) {
    await listener.close();
    throw err;
  }
  return listener;
}
