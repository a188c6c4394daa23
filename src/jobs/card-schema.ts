// The Card as a zod schema, so a Card read back from a job is checked before an adapter renders it.
import { z } from 'zod';
import type { Card } from '../bot/model.ts';

const CardStatus = z.enum(['info', 'running', 'ok', 'warning', 'problem', 'unknown', 'pending', 'done', 'refused']);

const CardSection = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }).strict(),
  z.object({ kind: z.literal('fields'), fields: z.array(z.object({ label: z.string(), value: z.string() }).strict()) }).strict(),
  z.object({ kind: z.literal('code'), text: z.string() }).strict(),
]);

const CardAction = z
  .object({
    id: z.string().min(1).max(100),
    label: z.string(),
    style: z.enum(['primary', 'danger', 'default']),
    confirm: z.object({ title: z.string(), text: z.string(), confirm: z.string(), deny: z.string() }).strict().optional(),
  })
  .strict();

export const CardSchema: z.ZodType<Card> = z
  .object({
    title: z.string(),
    status: CardStatus,
    sections: z.array(CardSection),
    actions: z.array(CardAction),
    footer: z.string().optional(),
    notify: z.literal('oncall').optional(),
  })
  .strict();
