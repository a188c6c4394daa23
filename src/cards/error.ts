// Something failed on our side: the message in plain words (callers pass no stack traces or secrets).
import type { Card } from '../chat/model.ts';
import { capText } from './text.ts';

export function error(message: string, opts: { title?: string } = {}): Card {
  return { title: opts.title ?? 'Something went wrong', status: 'problem', sections: [{ kind: 'text', text: capText(message, 1500) }], actions: [] };
}
