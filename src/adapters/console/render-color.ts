// Optional ANSI colour for a terminal: only on a TTY, never when NO_COLOR is set (no-color.org:
// present and not empty) or TERM is dumb. Piped and scripted output stays plain text.
import type { CardStatus } from '../../chat/model.ts';

export function colorEnabled(stream: { isTTY?: boolean }, env: Readonly<Record<string, string | undefined>>): boolean {
  if (!stream.isTTY) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  return env['TERM'] !== 'dumb';
}

export type Paint = 'red' | 'green' | 'yellow' | 'cyan' | 'gray' | 'bold';

const CODES: Record<Paint, [number, number]> = { red: [31, 39], green: [32, 39], yellow: [33, 39], cyan: [36, 39], gray: [90, 39], bold: [1, 22] };

export function paint(text: string, how: Paint, on: boolean): string {
  if (!on) return text;
  const [open, close] = CODES[how];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}

export const STATUS_PAINT: Record<CardStatus, Paint> = {
  info: 'cyan',
  running: 'cyan',
  ok: 'green',
  done: 'green',
  warning: 'yellow',
  pending: 'yellow',
  problem: 'red',
  refused: 'red',
  unknown: 'gray',
};
