// Measurement helpers for Slack's 3-second ack limit (no printing; the bench decides what to show):
// HTTP mode, N concurrent signed slash commands timed to their HTTP response (the ack); Socket Mode,
// N envelopes timed from sending to the client's ack.
import { sendSigned } from '../../test/fakes/slack/signed.ts';
import { formBody, slashCommandPayload } from '../../test/fakes/slack/payloads.ts';

export interface AckTiming {
  /** Milliseconds to the ack, per command, in sending order. */
  ms: number[];
  /** Statuses other than 200 (HTTP) or missing acks (Socket Mode), counted. */
  failures: number;
  /** Wall time for the whole batch. */
  totalMs: number;
}

export interface HttpAckOptions {
  /** The adapter's events URL (…/slack/events). */
  url: string;
  signingSecret: string;
  count: number;
  /** Command text for command i (default "check bench-<i>"). */
  text?: (i: number) => string;
  timeoutMs?: number;
}

/** Fires `count` signed slash commands at once; each time is from sending to the HTTP response. */
export async function httpAckTimes(o: HttpAckOptions): Promise<AckTiming> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: o.count }, (_, i) =>
      sendSigned(o.url, formBody(slashCommandPayload({ text: o.text?.(i) ?? `check bench-${i}`, userId: `U0B${i}` })), { secret: o.signingSecret, timeoutMs: o.timeoutMs ?? 10_000 }).catch(
        () => ({ status: 0, body: '', ms: Number.NaN }),
      ),
    ),
  );
  return { ms: results.map((r) => r.ms), failures: results.filter((r) => r.status !== 200).length, totalMs: performance.now() - started };
}

/** The part of the fake Slack's Socket Mode server the measurement needs (test/fakes/slack/socket.ts). */
export interface SocketModeServer {
  send(type: 'slash_commands', payload: unknown): { envelopeId: string; sentAt: number };
  waitForAck(envelopeId: string, timeoutMs?: number): Promise<{ at: number }>;
}

export interface SocketAckOptions {
  server: SocketModeServer;
  count: number;
  text?: (i: number) => string;
  timeoutMs?: number;
}

/** Sends `count` slash-command envelopes at once; each time is from sending to its ack (performance.now clock). */
export async function socketAckTimes(o: SocketAckOptions): Promise<AckTiming> {
  const started = performance.now();
  const sent = Array.from({ length: o.count }, (_, i) => o.server.send('slash_commands', slashCommandPayload({ text: o.text?.(i) ?? `check bench-${i}`, userId: `U0B${i}` })));
  const ms = await Promise.all(
    sent.map((s) =>
      o.server.waitForAck(s.envelopeId, o.timeoutMs ?? 10_000).then(
        (a) => a.at - s.sentAt,
        () => Number.NaN,
      ),
    ),
  );
  return { ms, failures: ms.filter((x) => Number.isNaN(x)).length, totalMs: performance.now() - started };
}
