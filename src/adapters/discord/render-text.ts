// Text helpers for the Discord renderer: escaping (card text is data, not markdown), cutting with a
// note that says how much is hidden, and code fences that cannot be closed by their content.
/**
 * Card text shown literally: markdown characters escaped, so "work_pc" stays "work_pc". Inline
 * markers anywhere; quote, heading and list markers only where they act, at a line's start.
 * (discord.js's escapeMarkdown does the same but takes ~200 ms on a 9000-character string.)
 */
export function escapeText(text: string): string {
  return text.replace(/[\\*_~`|[\]]/g, '\\$&').replace(/^(\s*)([>#-])/gm, '$1\\$2').replace(/^(\s*\d+)\./gm, '$1\\.');
}

/** At most `max` characters; a cut string ends in "…" (for names and labels, where no note fits). */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/** The note a cut text ends with; stated so nobody mistakes the rest for the whole. */
export const cutNote = (hidden: number): string => `\n… (${hidden} more characters not shown)`;

/** At most `max` characters, cutting at a line end when one is near and saying how much is hidden. */
export function cutWithNote(text: string, max: number): string {
  if (text.length <= max) return text;
  // The note's own length depends on the number it prints; reserve for the worst case.
  const room = Math.max(0, max - cutNote(text.length).length);
  let cut = text.slice(0, room);
  const nl = cut.lastIndexOf('\n');
  if (nl > room * 0.8) cut = cut.slice(0, nl);
  return `${cut.trimEnd()}${cutNote(text.length - cut.trimEnd().length)}`;
}

const FENCE = '```';
/** Fence overhead: "```\n" + "\n```". */
export const FENCE_CHARS = FENCE.length * 2 + 2;

/** A "```" inside code is broken with a zero-width space so it cannot close the block around it. */
export function escapeCode(code: string): string {
  return code.replaceAll(FENCE, '`\u200b``');
}

/** Already escaped code as a fenced block. */
export function fence(escapedCode: string): string {
  return `${FENCE}\n${escapedCode}\n${FENCE}`;
}

/** Splits text into pieces of at most `max` characters, at line ends where possible. */
export function chunk(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    let at = rest.lastIndexOf('\n', max);
    if (at < max * 0.5) at = max;
    out.push(rest.slice(0, at));
    rest = rest.slice(at).replace(/^\n/, '');
  }
  out.push(rest);
  return out;
}
