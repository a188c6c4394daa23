// Signed requests to an HTTP-mode app, as Slack signs them (chat-fakes.md §1.3), with the faults a
// test needs: a wrong secret, a stale timestamp, a missing signature.
import crypto from 'node:crypto';

export interface SignedOptions {
  secret: string;
  /** Unix seconds; default now. Use now-301 or older for a stale request. */
  timestamp?: number;
  /** Sign with this secret instead (a bad signature). */
  wrongSecret?: string;
  /** Send no signature headers at all. */
  unsigned?: boolean;
  contentType?: 'application/x-www-form-urlencoded' | 'application/json';
  timeoutMs?: number;
}

export interface SignedResult {
  status: number;
  body: string;
  /** Milliseconds from sending to the response's end. */
  ms: number;
}

export function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${crypto.createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(body: string, opts: SignedOptions): Record<string, string> {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': opts.contentType ?? 'application/x-www-form-urlencoded' };
  if (!opts.unsigned) {
    headers['x-slack-request-timestamp'] = String(ts);
    headers['x-slack-signature'] = signature(opts.wrongSecret ?? opts.secret, ts, body);
  }
  return headers;
}

export async function sendSigned(url: string, body: string, opts: SignedOptions): Promise<SignedResult> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: signedHeaders(body, opts), body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
  const text = await res.text();
  return { status: res.status, body: text, ms: performance.now() - started };
}
