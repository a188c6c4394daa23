// Console lines -> the bot's Inbound events, as the other adapters' inbound turns a platform event
// into one. A line is a command ("check work-pc", with or without /rdp), a button press ("3",
// "/click 3", "/click Approve"), "/as NAME" to type as someone else, or a comment (#...). What the
// screen answers itself (usage, a button that is gone) is a notice; nothing reaches the bot.
import type { CardAction, ChatUser, ConversationRef, Inbound } from '../../chat/model.ts';
import { parseClick } from './render-numbering.ts';

const CHANNEL = 'console';
/** A console line is typed by a person: longer is a paste gone wrong. */
export const MAX_LINE_CHARS = 4000;

/** The screen's buttons, as the reader needs them. */
export interface ButtonLookup {
  button(n: number): { actionId: string; messageId: string; action: CardAction } | null | 'gone';
  /** The newest button whose label starts with the words; -1: none. */
  numberOfLabel(words: string): number;
}

export type ConsoleLine =
  | { kind: 'ignore' }
  | { kind: 'as'; user: string }
  | { kind: 'notice'; text: string }
  | { kind: 'press'; actionId: string; messageId: string; action: CardAction }
  | { kind: 'command'; text: string };

export function consoleWhere(threadId: string | null = null): ConversationRef {
  return { platform: 'console', channel: CHANNEL, rootMessageId: threadId, threadId, handle: null };
}

export function consoleUser(name: string, groups: string[]): ChatUser {
  return { platform: 'console', id: name, name, groups };
}

/** What one typed line means; `screen` resolves button numbers and labels. */
export function readLine(raw: string, screen: ButtonLookup): ConsoleLine {
  const line = raw.trim();
  if (!line || line.startsWith('#')) return { kind: 'ignore' };
  if (line.length > MAX_LINE_CHARS) return { kind: 'notice', text: `(that line is ${line.length} characters; the limit is ${MAX_LINE_CHARS}. Nothing was sent.)` };
  const as = /^\/as\s+([A-Za-z0-9._-]{1,40})$/.exec(line);
  if (as) return { kind: 'as', user: as[1]! };
  if (line.startsWith('/as')) return { kind: 'notice', text: 'usage: /as NAME (letters, digits, ".", "_", "-")' };
  const byLabel = /^\/click\s+(.*\D.*)$/i.exec(line);
  const n = parseClick(line) ?? (byLabel ? screen.numberOfLabel(byLabel[1]!) : null);
  if (n === null) return { kind: 'command', text: line.replace(/^\/rdp\s+/i, '').replace(/^\//, '') };
  if (n < 0) return { kind: 'notice', text: `(no button says "${line.replace(/^\/click\s+/i, '')}")` };
  const pressed = screen.button(n);
  if (!pressed) return { kind: 'notice', text: `(there is no button [${n}]; buttons are the numbers in square brackets)` };
  if (pressed === 'gone') return { kind: 'notice', text: `(button [${n}] is gone: its message was updated)` };
  return { kind: 'press', ...pressed };
}

/** The Inbound a command or a press becomes. */
export function toInbound(line: Extract<ConsoleLine, { kind: 'press' | 'command' }>, user: ChatUser, receivedAt: string): Inbound {
  return line.kind === 'press'
    ? { kind: 'action', actionId: line.actionId, user, where: consoleWhere(line.messageId), messageId: line.messageId, receivedAt }
    : { kind: 'command', text: line.text, user, where: consoleWhere(), receivedAt };
}
