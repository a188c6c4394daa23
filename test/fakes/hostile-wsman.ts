// A hostile (or broken) WinRM host on 127.0.0.1: it answers Create, Command, Send, Signal and Delete
// like Windows (Basic, no auth check), and Receive (or, with `at: 'first'`, the very first request,
// whatever it is) in one of these ways:
//  - endless-output: every Receive is CommandState Running with `chunkBytes` more stdout;
//  - huge-body:      one response that never ends (chunked), or announces a Content-Length and holds;
//  - drip:           one response whose bytes come one per `intervalMs`;
//  - drip-receives:  every Receive answers after `intervalMs` with one byte of stdout, Running;
//  - base64-stream:  a BEGIN frame, then `<<<RDPMEDIC OP ` and base64 that never closes, Running forever;
//  - huge-frame:     one closed OP frame of `base64Chars` characters spread over Receives, then Done.
// Everything it does is bounded (BOUNDS), and it tells, by event, how each stream ended: because the
// client closed the connection ('client-closed'), or because a bound was reached ('bound').
import { EventEmitter, once } from 'node:events';
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { frame } from '../../src/host/bootstrap.ts';
import { RUNTIME_VERSION } from '../../src/host/runtime.ts';
import { soapEnvelope } from './wsman-responses.ts';
import { messageIdOf, stepOf } from './wsman-replay.ts';

export type HostileMode =
  | { kind: 'endless-output'; chunkBytes: number }
  | { kind: 'huge-body'; declaredLength?: number; at?: 'receive' | 'first' }
  | { kind: 'drip'; intervalMs: number }
  | { kind: 'drip-receives'; intervalMs: number }
  | { kind: 'base64-stream'; chunkBytes: number }
  | { kind: 'huge-frame'; base64Chars: number; chunkBytes: number };

/** The server stops by itself at these, whatever the client does. */
export const BOUNDS = { streamBytes: 256 * 1024 * 1024, streamMs: 30_000, receives: 4_000 } as const;

export interface StreamEnd {
  /** Body bytes written into this response before it ended. */
  sent: number;
  by: 'client-closed' | 'bound';
}

const SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
const TRANSFER = 'http://schemas.xmlsoap.org/ws/2004/09/transfer';
const SHELL_ID = 'HOSTILE-SHELL';
const COMMAND_ID = 'HOSTILE-CMD';

const receiveBody = (stdout: Buffer | string, done: boolean): string =>
  `<rsp:ReceiveResponse>${stdout.length > 0 ? `<rsp:Stream Name="stdout" CommandId="${COMMAND_ID}">${Buffer.from(stdout).toString('base64')}</rsp:Stream>` : ''}` +
  (done
    ? `<rsp:Stream Name="stdout" CommandId="${COMMAND_ID}" End="true"/><rsp:CommandState CommandId="${COMMAND_ID}" State="${SHELL}/CommandState/Done"><rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState>`
    : `<rsp:CommandState CommandId="${COMMAND_ID}" State="${SHELL}/CommandState/Running"/>`) +
  `</rsp:ReceiveResponse>`;

const ordinary: Record<string, (relatesTo: string | undefined) => string> = {
  create: (r) => soapEnvelope(`${TRANSFER}/CreateResponse`, r,
    `<x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address><a:ReferenceParameters><w:ResourceURI>${SHELL}/cmd</w:ResourceURI>` +
    `<w:SelectorSet><w:Selector Name="ShellId">${SHELL_ID}</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`),
  command: (r) => soapEnvelope(`${SHELL}/CommandResponse`, r, `<rsp:CommandResponse><rsp:CommandId>${COMMAND_ID}</rsp:CommandId></rsp:CommandResponse>`),
  send: (r) => soapEnvelope(`${SHELL}/SendResponse`, r, '<rsp:SendResponse/>'),
  signal: (r) => soapEnvelope(`${SHELL}/SignalResponse`, r, '<rsp:SignalResponse/>'),
  delete: (r) => soapEnvelope(`${TRANSFER}/DeleteResponse`, r, ''),
};

/** Base64 text (whole 4-character groups) of about `bytes` length. */
const base64Text = (bytes: number): string => Buffer.alloc(Math.ceil((bytes * 3) / 4), 0x41).toString('base64');

export class HostileWsman extends EventEmitter {
  /** Steps of every request, in order ('?' for one that is not WS-Man, e.g. an NTLM leg without body). */
  readonly steps: string[] = [];
  /** Receive requests answered (or being answered). */
  receives = 0;
  /** Every streamed response's end, in order (also emitted as 'stream-end'). */
  readonly streams: StreamEnd[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Characters of the huge frame still to send. */
  private frameLeft: number;
  private closed = false;

  private constructor(private readonly server: http.Server, readonly mode: HostileMode, readonly url: string) {
    super();
    this.frameLeft = mode.kind === 'huge-frame' ? mode.base64Chars : 0;
  }

  static async start(mode: HostileMode): Promise<HostileWsman> {
    const server = http.createServer();
    server.keepAliveTimeout = 60_000;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const hostile = new HostileWsman(server, mode, `http://127.0.0.1:${port}/wsman`);
    server.on('connection', (socket: Socket) => {
      hostile.sockets.add(socket);
      socket.on('close', () => hostile.sockets.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => hostile.onRequest(req, res));
    return hostile;
  }

  /** Resolves with the next stream's end (or the one already recorded at `index`). */
  async streamEnd(index = 0): Promise<StreamEnd> {
    while (this.streams.length <= index) await once(this, 'stream-end');
    return this.streams[index]!;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const step = stepOf(text) ?? '?';
      const first = this.steps.length === 0;
      this.steps.push(step);
      const relatesTo = messageIdOf(text);
      const mode = this.mode;
      if (mode.kind === 'huge-body' && (mode.at === 'first' ? first : step === 'receive')) {
        if (step === 'receive') this.receives += 1;
        void this.flood(res, relatesTo, mode.declaredLength);
        return;
      }
      if (step !== 'receive') {
        this.reply(res, (ordinary[step] ?? ordinary.delete!)(relatesTo));
        return;
      }
      this.receives += 1;
      if (mode.kind === 'drip') {
        void this.drip(res, relatesTo, mode.intervalMs);
        return;
      }
      const body = this.nextReceive(relatesTo);
      if (mode.kind === 'drip-receives') this.later(mode.intervalMs, () => this.reply(res, body));
      else this.reply(res, body);
    });
  }

  /** The next Receive answer in the non-streaming modes. */
  private nextReceive(relatesTo: string | undefined): string {
    const mode = this.mode;
    const over = this.receives >= BOUNDS.receives;
    switch (mode.kind) {
      case 'endless-output':
        return soapEnvelope(`${SHELL}/ReceiveResponse`, relatesTo, receiveBody(Buffer.alloc(mode.chunkBytes, 0x78), over));
      case 'drip-receives':
        return soapEnvelope(`${SHELL}/ReceiveResponse`, relatesTo, receiveBody('.', over));
      case 'base64-stream': {
        const start = this.receives === 1 ? `${this.beginFrame()}<<<RDPMEDIC OP ` : '';
        return soapEnvelope(`${SHELL}/ReceiveResponse`, relatesTo, receiveBody(start + base64Text(mode.chunkBytes), over));
      }
      case 'huge-frame': {
        const start = this.receives === 1 ? `${this.beginFrame()}<<<RDPMEDIC OP ` : '';
        const part = Math.min(this.frameLeft, mode.chunkBytes - (mode.chunkBytes % 4));
        this.frameLeft -= part;
        const done = this.frameLeft === 0 || over;
        const text = start + 'A'.repeat(part) + (done ? ' >>>\n' : '');
        return soapEnvelope(`${SHELL}/ReceiveResponse`, relatesTo, receiveBody(text, done));
      }
      default:
        return soapEnvelope(`${SHELL}/ReceiveResponse`, relatesTo, receiveBody('', true));
    }
  }

  private beginFrame(): string {
    return frame('BEGIN', { runtime: RUNTIME_VERSION, host: 'HOSTILE', startedAt: new Date(0).toISOString(), check: false, count: 1 });
  }

  private reply(res: ServerResponse, body: string): void {
    if (res.destroyed) return;
    res.setHeader('Content-Type', 'application/soap+xml;charset=UTF-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private ended(end: StreamEnd): void {
    this.streams.push(end);
    this.emit('stream-end', end);
  }

  /** A Receive answer that never ends: a valid start, then base64 stdout until the client hangs up or a bound. */
  private async flood(res: ServerResponse, relatesTo: string | undefined, declaredLength: number | undefined): Promise<void> {
    res.setHeader('Content-Type', 'application/soap+xml;charset=UTF-8');
    if (declaredLength !== undefined) res.setHeader('Content-Length', declaredLength);
    const head = soapEnvelope(`${SHELL}/ReceiveResponse`, relatesTo, '@').split('@')[0]! + `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="${COMMAND_ID}">`;
    const chunk = Buffer.from(base64Text(64 * 1024));
    const closed = new Promise<void>((resolve) => res.once('close', () => resolve()));
    let clientClosed = false;
    void closed.then(() => (clientClosed = true));
    const started = Date.now();
    let sent = 0;
    const write = (data: Buffer | string): boolean => {
      sent += Buffer.byteLength(data);
      return res.write(data);
    };
    let more = write(head);
    // A declared length: announce the flood, then hold the connection (only a client that believes
    // the header before reading the body gets out before its timeout).
    if (declaredLength !== undefined) {
      await Promise.race([closed, new Promise<void>((resolve) => this.later(BOUNDS.streamMs, resolve))]);
    }
    while (declaredLength === undefined && !clientClosed && !this.closed && sent < BOUNDS.streamBytes && Date.now() - started < BOUNDS.streamMs) {
      if (!more) await Promise.race([once(res, 'drain'), closed]);
      if (clientClosed || this.closed) break;
      more = write(chunk);
    }
    this.ended({ sent, by: clientClosed ? 'client-closed' : 'bound' });
    if (!res.destroyed) res.destroy();
  }

  /** One byte per interval of a valid Receive answer, until the client hangs up or a bound. */
  private async drip(res: ServerResponse, relatesTo: string | undefined, intervalMs: number): Promise<void> {
    const body = Buffer.from(soapEnvelope(`${SHELL}/ReceiveResponse`, relatesTo, receiveBody('dripped', true)));
    res.setHeader('Content-Type', 'application/soap+xml;charset=UTF-8');
    res.setHeader('Content-Length', body.length);
    res.flushHeaders();
    let clientClosed = false;
    res.once('close', () => (clientClosed = true));
    const started = Date.now();
    let sent = 0;
    while (!clientClosed && !this.closed && sent < body.length - 1 && Date.now() - started < BOUNDS.streamMs) {
      res.write(body.subarray(sent, sent + 1));
      sent += 1;
      await new Promise<void>((resolve) => this.later(intervalMs, resolve));
    }
    this.ended({ sent, by: clientClosed ? 'client-closed' : 'bound' });
    if (!res.destroyed) res.destroy();
  }
}
