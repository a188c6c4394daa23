// Small text helpers every card builder shares: mentions, plurals, caps. Cards stay short because
// adapters split and limit further, and a chat thread is read on a phone at 3 a.m.

/** "@alice" whether or not the platform's display name already carries the "@". */
export { mention, mentionTag } from '../chat/mention.ts';

/** "1 host", "3 hosts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Cuts text past `max` characters and says how much was left out, so nobody mistakes it for the whole. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  const rest = text.length - max;
  return `${text.slice(0, max).trimEnd()}\n… (${rest} more characters)`;
}

/** At most `max` lines, then "… and M more" so the count of what is hidden is never lost. */
export function capLines(lines: string[], max: number): string[] {
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max), `… and ${lines.length - max} more`];
}

/** "Replace the certificate" -> "replace the certificate" for "asks to …"; leaves acronyms ("NLA …") alone. */
export function lowerFirst(text: string): string {
  const [a, b] = [text.charAt(0), text.charAt(1)];
  return a && b && b === b.toLowerCase() && b !== b.toUpperCase() ? a.toLowerCase() + text.slice(1) : text;
}
