// The fake's Socket Mode side: a WebSocket server at /socket that says hello on connect, sends
// envelopes, and records the client's acks by envelope_id.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface EnvelopeAck {
  envelopeId: string;
  payload: unknown;
  at: number;
}

export class FakeSocketMode {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly events = new EventEmitter();
  readonly acks: EnvelopeAck[] = [];
  readonly sockets = new Set<WebSocket>();
  /** Connections ever opened (a reconnect adds one). */
  connectionCount = 0;
  private envelopeSeq = 0;
  /** Send hello on connect (turn off to test a client that never gets one). */
  sendHello = true;

  constructor() {
    this.events.setMaxListeners(0);
    this.wss.on('connection', (ws) => {
      this.sockets.add(ws);
      this.connectionCount += 1;
      ws.on('close', () => {
        this.sockets.delete(ws);
        this.events.emit('close', ws);
      });
      ws.on('message', (data) => this.onMessage(String(data)));
      if (this.sendHello) {
        ws.send(JSON.stringify({ type: 'hello', num_connections: this.sockets.size, debug_info: { host: 'fake', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0APP' } }));
      }
      this.events.emit('connection', ws);
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  private onMessage(text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    const m = msg as { envelope_id?: unknown; payload?: unknown };
    if (typeof m.envelope_id !== 'string') return;
    const ack: EnvelopeAck = { envelopeId: m.envelope_id, payload: m.payload, at: performance.now() };
    this.acks.push(ack);
    this.events.emit('ack', ack);
  }

  /** Resolves once a client is connected (now or later). */
  waitForConnection(timeoutMs = 5_000): Promise<void> {
    if (this.sockets.size > 0) return Promise.resolve();
    return this.waitEvent('connection', () => true, timeoutMs).then(() => undefined);
  }

  /** Resolves once exactly `n` clients are connected (e.g. after a reconnect, when the old socket has closed). */
  async waitForOpenSockets(n: number, timeoutMs = 5_000): Promise<void> {
    if (this.sockets.size === n) return;
    await this.waitEvent(['connection', 'close'], () => this.sockets.size === n, timeoutMs);
  }

  /** Sends an envelope to every connected client; returns its envelope_id and when it was sent. */
  send(type: 'slash_commands' | 'interactive' | 'events_api', payload: unknown, opts: { envelopeId?: string } = {}): { envelopeId: string; sentAt: number } {
    if (this.sockets.size === 0) throw new Error('fake Slack: no Socket Mode client is connected');
    const envelopeId = opts.envelopeId ?? `env-${++this.envelopeSeq}`;
    const envelope = {
      envelope_id: envelopeId,
      type,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: 0, retry_reason: '' } : {}),
      payload,
    };
    const sentAt = performance.now();
    for (const ws of this.sockets) ws.send(JSON.stringify(envelope));
    return { envelopeId, sentAt };
  }

  /** Sends raw text (garbage) to every client. */
  sendRaw(text: string): void {
    for (const ws of this.sockets) ws.send(text);
  }

  /** Asks the clients to reconnect, as Slack does before it recycles a connection. */
  sendDisconnect(reason = 'refresh_requested'): void {
    for (const ws of this.sockets) ws.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: 'fake' } }));
  }

  waitForAck(envelopeId: string, timeoutMs = 5_000): Promise<EnvelopeAck> {
    const done = this.acks.find((a) => a.envelopeId === envelopeId);
    if (done) return Promise.resolve(done);
    return this.waitEvent('ack', (a: EnvelopeAck) => a.envelopeId === envelopeId, timeoutMs);
  }

  private waitEvent<T>(name: string | string[], pred: (v: T) => boolean, timeoutMs: number): Promise<T> {
    const names = Array.isArray(name) ? name : [name];
    return new Promise<T>((resolve, reject) => {
      const off = (): void => names.forEach((n) => this.events.off(n, on));
      const timer = setTimeout(() => {
        off();
        reject(new Error(`fake Slack: no ${names.join('/')} within ${timeoutMs} ms`));
      }, timeoutMs);
      const on = (v: T): void => {
        if (!pred(v)) return;
        clearTimeout(timer);
        off();
        resolve(v);
      };
      names.forEach((n) => this.events.on(n, on));
    });
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.sockets.clear();
    this.wss.close();
  }
}
