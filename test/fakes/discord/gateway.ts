// The fake gateway: HELLO on connect, IDENTIFY -> READY (+ GUILD_CREATE), heartbeat ACKs that a
// test can withhold (a zombie connection), RESUME -> RESUMED, and dispatches with a rising `s`.
// Plain JSON text frames: zlib-sync is not installed, so discord.js asks for no compression.
import { EventEmitter } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { guildCreatePayload, readyPayload } from './payloads.ts';

export interface GatewayFrame {
  op: number;
  d: unknown;
  s?: number | null;
  t?: string | null;
}

export interface GatewayEvent {
  /** Which connection (1, 2, …) it happened on. */
  connection: number;
  dir: 'in' | 'out';
  frame: GatewayFrame;
  at: number;
}

export interface GatewayOptions {
  heartbeatIntervalMs: number;
  /** Send GUILD_CREATE right after READY (default true). */
  sendGuild: boolean;
}

interface Connection {
  n: number;
  ws: WebSocket;
  ack: boolean;
  ready: boolean;
}

export class FakeGateway extends EventEmitter {
  readonly wss = new WebSocketServer({ noServer: true });
  readonly log: GatewayEvent[] = [];
  private readonly connections: Connection[] = [];
  private seq = 0;
  private sessions = 0;
  private sessionId = '';
  url = '';

  constructor(private readonly opts: GatewayOptions) {
    super();
    this.wss.on('connection', (ws) => this.accept(ws));
  }

  /** The connection dispatches go to: the newest one that is identified or resumed. */
  private get current(): Connection | undefined {
    return [...this.connections].reverse().find((c) => c.ready && c.ws.readyState === WebSocket.OPEN);
  }

  get connectionCount(): number {
    return this.connections.length;
  }

  /** Stop acknowledging heartbeats on the current connection: discord.js then sees a zombie. */
  stopAckingHeartbeats(): void {
    for (const c of this.connections) c.ack = false;
  }

  /** Sends a dispatch (op 0) on the current connection; resolves with its sequence number. */
  dispatch(t: string, d: unknown): number {
    const c = this.current;
    if (!c) throw new Error(`fake gateway: no ready connection to dispatch ${t} on`);
    const s = ++this.seq;
    this.send(c, { op: 0, t, s, d });
    return s;
  }

  /** Sends any frame, as is, on the current connection (for malformed-payload tests). */
  sendRaw(text: string): void {
    const c = this.current;
    if (!c) throw new Error('fake gateway: no ready connection');
    c.ws.send(text);
  }

  frames(pred: (e: GatewayEvent) => boolean = () => true): GatewayEvent[] {
    return this.log.filter(pred);
  }

  closeAll(): void {
    for (const c of this.connections) c.ws.terminate();
    this.wss.close();
  }

  private send(c: Connection, frame: GatewayFrame): void {
    this.record(c, 'out', frame);
    c.ws.send(JSON.stringify(frame));
  }

  private record(c: Connection, dir: 'in' | 'out', frame: GatewayFrame): void {
    const e: GatewayEvent = { connection: c.n, dir, frame, at: performance.now() };
    this.log.push(e);
    this.emit('frame', e);
  }

  private accept(ws: WebSocket): void {
    const c: Connection = { n: this.connections.length + 1, ws, ack: true, ready: false };
    this.connections.push(c);
    ws.on('message', (raw) => this.onFrame(c, raw.toString()));
    ws.on('error', () => undefined);
    this.send(c, { op: 10, d: { heartbeat_interval: this.opts.heartbeatIntervalMs }, s: null, t: null });
  }

  private onFrame(c: Connection, text: string): void {
    let frame: GatewayFrame;
    try {
      frame = JSON.parse(text) as GatewayFrame;
    } catch {
      return;
    }
    this.record(c, 'in', frame);
    switch (frame.op) {
      case 1:
        if (c.ack) this.send(c, { op: 11, d: null, s: null, t: null });
        return;
      case 2: {
        this.sessionId = `fake-session-${++this.sessions}`;
        c.ready = true;
        this.send(c, { op: 0, t: 'READY', s: ++this.seq, d: readyPayload(this.url, this.sessionId) });
        if (this.opts.sendGuild) this.send(c, { op: 0, t: 'GUILD_CREATE', s: ++this.seq, d: guildCreatePayload() });
        return;
      }
      case 6: {
        const d = frame.d as { session_id?: string };
        if (d.session_id !== this.sessionId) {
          this.send(c, { op: 9, d: false, s: null, t: null }); // invalid session: identify again
          return;
        }
        c.ready = true;
        this.send(c, { op: 0, t: 'RESUMED', s: ++this.seq, d: {} });
        return;
      }
      default:
        return;
    }
  }
}
