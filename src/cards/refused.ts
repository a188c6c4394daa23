// A request the bot will not carry out (not allowed, unknown host, rate limited, already decided):
// says why in plain words, so the person knows what to do instead.
import type { Card } from '../chat/model.ts';
import { capText } from './text.ts';

export function refused(reason: string, opts: { title?: string } = {}): Card {
  return { title: opts.title ?? 'Not done', status: 'refused', sections: [{ kind: 'text', text: capText(reason, 1500) }], actions: [] };
}
