// From what a platform delivers to plain words: unify spaces, unwrap Slack's auto-links
// (<http://work-pc|work-pc>), drop a leading /rdp, @rdp-medic or <@U123> mention, then refuse any
// character a command never needs (so nothing odd reaches a host id, a log or a job).
import { grammarError, type GrammarError } from './types.ts';

export const MAX_COMMAND_CHARS = 500;

const SPACES = /[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/g;
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;
const SLACK_LINK = /<(?:https?|mailto):[^|>]*\|([^>]*)>/gi;
const PREFIX = /^(?:\/rdp(?:-medic)?(?=\s|$)|@rdp-medic\b[:,]?|<@[!&]?[A-Za-z0-9]+(?:\|[^>]*)?>[:,]?)\s*/i;
const ALLOWED = /^[A-Za-z0-9._:-]$/;

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f || code > 0x7e ? `U+${code.toString(16).toUpperCase().padStart(4, '0')}` : `"${c}"`;
}

/** The word as it can be shown safely: printable ASCII only, at most 40 characters. */
const printable = (word: string): string => [...word].map((c) => (/^[\x20-\x7e]$/.test(c) ? c : '?')).join('').slice(0, 40);

export function normalize(text: string): string[] | GrammarError {
  if (text.length > MAX_COMMAND_CHARS) return grammarError('too-long', `that command is ${text.length} characters long; commands are at most ${MAX_COMMAND_CHARS}`);
  let s = text.replace(INVISIBLE, '').replace(SLACK_LINK, '$1').replace(SPACES, ' ').trim();
  for (let m = PREFIX.exec(s); m && m[0].length > 0; m = PREFIX.exec(s)) s = s.slice(m[0].length);
  const words = s.split(' ').filter(Boolean);
  for (const word of words) {
    const bad = [...word].find((c) => !ALLOWED.test(c));
    if (bad !== undefined) {
      return grammarError('bad-characters', `bad character ${describeChar(bad)} in "${printable(word)}": commands use only letters, digits, ".", "_", "-" and ":"`);
    }
  }
  return words;
}
