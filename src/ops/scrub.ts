// What counts as a secret in ops output (logs, health details). Reuses the audit stream's rules
// (src/bot/audit/redact.ts: secret key names, Slack xox* tokens, Basic/Bearer/NTLM credentials) and
// adds what long-running processes also meet: Slack app tokens, Discord bot tokens (and JWTs, which
// share their three-dot shape) and passwords inside URLs (redis://:pass@host).
import { isSecretKey, redact } from '../bot/audit/redact.ts';

export const CENSOR = '[redacted]';

const EXTRA_TEXT: [RegExp, string][] = [
  // Slack app-level tokens (Socket Mode): xapp-1-A0123-456-abcdef...
  [/xapp-[A-Za-z0-9-]+/g, CENSOR],
  // Discord bot tokens (base64 user id . timestamp . hmac) and JWTs: three base64url runs joined by dots.
  [/\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{20,}/g, CENSOR],
  // user:password@ in any URL; never crosses a quote, so a JSON line stays valid.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"\\]*:)[^\s@/"\\]+@/gi, `$1${CENSOR}@`],
];

// Keys the audit rules do not treat as secret but ops output must: whole credential records, cookies, API keys.
const EXTRA_KEY = /^(credentials?|cookie|set-cookie|api[-_]?key|private[-_]?key)$/i;

export function isSecretField(key: string): boolean {
  return isSecretKey(key) || EXTRA_KEY.test(key);
}

/** A string with every secret-looking value masked. */
export function scrubText(text: string): string {
  // redact() on a bare string applies only the audit's text masks (there are no keys to drop).
  const audited = redact(text);
  const base = typeof audited === 'string' ? audited : text;
  return EXTRA_TEXT.reduce((acc, [re, to]) => acc.replace(re, to), base);
}

/**
 * A copy of plain objects and arrays with secret-named fields censored (at any depth) and strings
 * scrubbed. Other objects (Errors, Dates, Buffers, class instances) are passed through as they are:
 * pino serializes them, and the logger scrubs the finished line anyway.
 */
export function scrubValue(value: unknown, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) return value;
  // `seen` holds the ancestors only: a cycle is cut, an object referenced twice is copied twice.
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) out = value.map((v) => scrubValue(v, seen));
  else {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = isSecretField(k) ? CENSOR : scrubValue(v, seen);
    out = copy;
  }
  seen.delete(value);
  return out;
}
