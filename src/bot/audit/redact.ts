// What may enter the audit stream: JSON data minus anything secret. Keys that name a secret
// (password, token, secret, authorization, in any case and inside longer names such as botToken or
// clientSecret) are dropped with their whole value; strings that carry a Slack token or an HTTP
// Basic/Bearer credential are masked. Applied to every entry, whoever wrote it.
const SECRET_KEY = /password|passwd|token|secret|authorization/i;
const SECRET_TEXT: [RegExp, string][] = [
  [/xox[abposre]-[A-Za-z0-9-]+/g, 'xox?-[redacted]'],
  [/\b(Basic|Bearer|Negotiate|NTLM)\s+[A-Za-z0-9+/=._~-]{8,}/g, '$1 [redacted]'],
];

export const isSecretKey = (key: string): boolean => SECRET_KEY.test(key);

function maskText(s: string): string {
  return SECRET_TEXT.reduce((acc, [re, to]) => acc.replace(re, to), s);
}

/** A JSON-safe deep copy without secrets (Dates as ISO strings, Buffers and functions dropped). */
export function redact(value: unknown): unknown {
  const text = JSON.stringify(value, (key, v: unknown) => {
    if (key && isSecretKey(key)) return undefined;
    if (typeof v === 'string') return maskText(v);
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && 'type' in v && (v as { type: unknown }).type === 'Buffer') return '[binary]';
    return v;
  });
  return text === undefined ? null : (JSON.parse(text) as unknown);
}
