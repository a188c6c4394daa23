// A button's confirm dialog as a terminal prompt: the console adapter prints this when a numbered
// action with a confirm is pressed, and runs the action only on "y".
import type { CardAction } from '../../chat/model.ts';
import { wrap } from './render-wrap.ts';

export function renderConfirm(action: CardAction, opts: { width?: number } = {}): string | null {
  const c = action.confirm;
  if (!c) return null;
  return [c.title, ...wrap(c.text, opts.width ?? 100, '  '), `  [y] ${c.confirm}   [n] ${c.deny}`].join('\n');
}

/** "y", "yes" -> true; anything else -> false (declining is the safe default). */
export function isYes(answer: string): boolean {
  return /^\s*y(es)?\s*$/i.test(answer);
}
