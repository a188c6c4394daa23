// Putting messages on the deliver queue: everything the bot shows goes this way (the outbox), so
// a slow or failing platform delays messages but never loses or doubles them. `dedupe` names what
// the messages are about within the conversation; sending the same thing twice enqueues it once.
import type { Card, ChatUser, ConversationRef, Platform } from '../chat/model.ts';
import { enqueueDelivery, type Queues } from './queues.ts';
import type { OutboundMessage } from './schemas.ts';

export interface ConversationAddress {
  id: string;
  ref: { platform: Platform };
}

/** The delivery id of a conversation's messages about `dedupe` (its root: 'root'). */
export const deliveryKey = (conversationId: string, dedupe: string): string => `${conversationId}.${dedupe}`;

export class Outbox {
  constructor(private readonly queues: Queues) {}

  async send(conv: ConversationAddress, dedupe: string, messages: OutboundMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += 50) {
      const part = messages.slice(i, i + 50);
      const suffix = i === 0 ? '' : `.${i / 50}`;
      await enqueueDelivery(this.queues, { platform: conv.ref.platform, conversationId: conv.id, messages: part }, `${deliveryKey(conv.id, dedupe)}${suffix}`);
    }
  }

  root(conv: ConversationAddress, card: Card, opts: { interim?: boolean } = {}): Promise<void> {
    return this.send(conv, 'root', [{ op: 'root', key: 'root', card, ...(opts.interim ? { interim: true } : {}) }]);
  }

  reply(conv: ConversationAddress, key: string, card: Card): Promise<void> {
    return this.send(conv, key, [{ op: 'reply', key, card }]);
  }

  update(conv: ConversationAddress, of: string, version: number, card: Card): Promise<void> {
    return this.send(conv, `upd.${of}.${version}`, [{ op: 'update', of, version, card }]);
  }

  ephemeral(conv: ConversationAddress, key: string, user: ChatUser, where: ConversationRef, card: Card): Promise<void> {
    return this.send(conv, `eph.${key}`, [{ op: 'ephemeral', key, user, where, card }]);
  }
}
