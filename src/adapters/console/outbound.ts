// What the console shows: every Card printed as text (replies indented under their thread), and
// the cards kept with their numbered buttons, so the inbound side can resolve "/click N" and
// "/click Approve" against what is on the screen.
import type { PostedMessage } from '../../chat/adapter.ts';
import type { Card, CardAction, ChatUser, ConversationRef } from '../../chat/model.ts';
import { ActionNumbering } from './render-numbering.ts';
import { renderCard } from './render.ts';
import { saveCardFile } from './files.ts';

export class ConsoleScreen {
  private readonly numbering = new ActionNumbering();
  private readonly cards = new Map<string, Card>();
  private seq = 0;

  constructor(
    private readonly print: (text: string) => void,
    private readonly color: boolean,
    /** Where a card's file is written (see files.ts). */
    private readonly filesDir: string,
  ) {}

  /** The button numbered `n` and the message it is on; null when there is none, 'gone' when its message changed. */
  button(n: number): { actionId: string; messageId: string; action: CardAction } | null | 'gone' {
    const pressed = this.numbering.resolve(n);
    if (!pressed) return null;
    const action = this.cards.get(pressed.messageId)?.actions.find((a) => a.id === pressed.actionId);
    return action ? { ...pressed, action } : 'gone';
  }

  /** The number of the newest button whose label starts with `words`; -1 when none does. */
  numberOfLabel(words: string): number {
    const want = words.trim().toLowerCase();
    for (const [messageId, card] of [...this.cards.entries()].reverse()) {
      const action = card.actions.find((a) => a.label.toLowerCase().startsWith(want));
      if (action) return this.numbering.number(action.id, messageId);
    }
    return -1;
  }

  private render(card: Card, messageId: string): string {
    const text = renderCard(card, { numbering: this.numbering, messageId, color: this.color });
    return card.file ? `${text}\n  ${saveCardFile(this.filesDir, messageId, card.file)}` : text;
  }

  async postRoot(_where: ConversationRef, card: Card): Promise<PostedMessage> {
    const messageId = `m${++this.seq}`;
    this.cards.set(messageId, card);
    this.print(`\n${this.render(card, messageId)}`);
    return { messageId, threadId: messageId };
  }

  async postReply(where: ConversationRef, card: Card): Promise<PostedMessage> {
    const messageId = `m${++this.seq}`;
    this.cards.set(messageId, card);
    const body = this.render(card, messageId).replace(/^/gm, '    | ');
    this.print(`\n    (in the thread of ${where.threadId ?? '?'})\n${body}`);
    return { messageId, threadId: where.threadId };
  }

  async updateMessage(_where: ConversationRef, messageId: string, card: Card): Promise<void> {
    this.cards.set(messageId, card);
    this.print(`\n(updated ${messageId})\n${this.render(card, messageId)}`);
  }

  async postEphemeral(_where: ConversationRef, user: ChatUser, card: Card): Promise<void> {
    const messageId = `e${++this.seq}`;
    this.cards.set(messageId, card);
    this.print(`\n(only ${user.name} sees this)\n${this.render(card, messageId)}`);
  }
}
