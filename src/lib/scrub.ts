// The one scrubber: what counts as a secret in anything rdp-medic writes (logs, health details,
// the audit stream). Keys that name a secret (password, token, secret, authorization, credentials,
// cookies, API and private keys, in any case and inside longer names such as botToken) lose their
// value; strings lose Slack and Discord tokens, Basic/Bearer/NTLM credentials, passwords inside
// URLs, and every secret value the configuration holds (registered at load, masked by value, so a
// password pasted into a chat command or an error message never reaches a log or the audit).
export const CENSOR = '[redacted]';

const SECRET_KEY = /password|passwd|token|secret|authorization/i;
const EXTRA_KEY = /^(credentials?|cookie|set-cookie|api[-_]?key|private[-_]?key)$/i;

const SECRET_TEXT: [RegExp, string][] = [
  [/xox[abposre]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/\b(Basic|Bearer|Negotiate|NTLM)\s+[A-Za-z0-9+/=._~-]{8,}/g, '$1 [redacted]'],
  // Slack app-level tokens (Socket Mode): xapp-1-A0123-456-abcdef...
  [/xapp-[A-Za-z0-9-]+/g, CENSOR],
  // Discord bot tokens (base64 user id . timestamp . hmac) and JWTs: three base64url runs joined by dots.
  [/\b[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{20,}/g, CENSOR],
  // Discord interaction and webhook tokens inside REST paths (they answer the interaction for 15 minutes).
  [/(\/webhooks\/\d+\/)[^/?\s]+/g, '$1[token]'],
  [/(\/interactions\/\d+\/)[^/?\s]+/g, '$1[token]'],
  // Socket Mode URLs carry a one-time connection ticket.
  [/ticket=[^&\s"']+/g, `ticket=${CENSOR}`],
  // user:password@ in any URL; never crosses a quote, so a JSON line stays valid.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@"\\]*:)[^\s@/"\\]+@/gi, `$1${CENSOR}@`],
];

// One case-insensitive pass that matches wherever any pattern above could (a superset): almost
// every string has nothing to mask, and one test is far cheaper than eight replaces (the audit
// scrubs every string of every diagnosis).
const MAYBE_SECRET_TEXT = new RegExp(SECRET_TEXT.map(([re]) => `(?:${re.source})`).join('|'), 'i');

/** Shorter values would mask ordinary words; secrets that short are refused by nobody, but rare. */
const MIN_VALUE_LENGTH = 6;
let secretValues: string[] = [];

/** Masks these values wherever they appear from now on (the configuration's passwords and tokens). */
export function registerSecretValues(values: Iterable<string>): void {
  const all = new Set([...secretValues, ...[...values].filter((v) => v.length >= MIN_VALUE_LENGTH)]);
  // Longest first, so a secret containing another is masked whole.
  secretValues = [...all].sort((a, b) => b.length - a.length);
}

/** Every string under a secret-named key of `config`, at any depth (what registerSecretValues takes). */
export function secretValuesIn(config: unknown, underSecret = false): string[] {
  if (typeof config === 'string') return underSecret ? [config] : [];
  if (!config || typeof config !== 'object') return [];
  return Object.entries(config as Record<string, unknown>).flatMap(([k, v]) => secretValuesIn(v, underSecret || isSecretField(k)));
}

export function isSecretField(key: string): boolean {
  return SECRET_KEY.test(key) || EXTRA_KEY.test(key);
}

/** A string with every secret-looking or configured secret value masked. */
export function scrubText(text: string): string {
  let out = text;
  for (const v of secretValues) if (out.includes(v)) out = out.split(v).join(CENSOR);
  return MAYBE_SECRET_TEXT.test(out) ? SECRET_TEXT.reduce((acc, [re, to]) => acc.replace(re, to), out) : out;
}

/**
 * For logs: a copy of plain objects and arrays with secret-named fields censored (at any depth)
 * and strings scrubbed. Other objects (Errors, Dates, Buffers, class instances) pass through as
 * they are: pino serializes them, and the logger scrubs the finished line anyway.
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

/** redact's result as JSON text (what the audit stores), without parsing it back. */
export function redactedJson(value: unknown): string {
  const text = JSON.stringify(value, (key, v: unknown) => {
    if (key && isSecretField(key)) return undefined;
    if (typeof v === 'string') return scrubText(v);
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && 'type' in v && (v as { type: unknown }).type === 'Buffer') return '[binary]';
    return v;
  });
  return text ?? 'null';
}

/** For the audit stream: a JSON-safe deep copy, secret-named keys dropped, strings scrubbed. */
export function redact(value: unknown): unknown {
  return JSON.parse(redactedJson(value)) as unknown;
}
