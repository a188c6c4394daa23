// Slack text helpers: escaping (user and host text must never become a mention or a link) and
// cutting to a limit with a visible marker.

/** Escapes the three characters Slack's mrkdwn treats as control characters. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts to at most `max` characters (after escaping), ending with "…" when anything was cut. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let head = text.slice(0, Math.max(0, max - 1));
  // Never leave half an escape entity ("&am") at the end.
  head = head.replace(/&[a-z]{0,3}$/, '');
  return `${head}…`;
}

/**
 * Splits text into chunks of at most `max` characters, preferring line breaks, so long evidence
 * is shown whole across several blocks instead of truncated.
 */
export function chunk(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let at = rest.lastIndexOf('\n', max);
    if (at < max / 2) at = max;
    // Do not split inside an escape entity.
    const amp = rest.lastIndexOf('&', at);
    if (amp > at - 5 && amp >= 0 && rest.indexOf(';', amp) >= at) at = amp;
    if (at <= 0) at = max;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  if (rest.length || out.length === 0) out.push(rest);
  return out;
}

/** Code text made safe for a ``` block: escaped, and backtick runs broken so they cannot close it early. */
export function codeText(text: string): string {
  return escapeMrkdwn(text).replace(/```/g, '`\u200b`\u200b`');
}

/** Wraps already-safe code text (see codeText) in a fence; adds 6 characters. */
export function fence(safe: string): string {
  return `\`\`\`${safe}\`\`\``;
}
