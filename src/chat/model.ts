// The platform-neutral chat model: who asked (ChatUser), where to answer (ConversationRef), what
// they said (Inbound), and what we show (Card). Adapters translate their platform to and from this;
// nothing below the adapters knows which platform asked.
import { z } from 'zod';

export const Platform = z.enum(['slack', 'discord', 'console']);
export type Platform = z.infer<typeof Platform>;

/** A chat identity: the platform's own user id, and its groups/roles (Slack user groups, Discord role ids). */
export const ChatUser = z.object({
  platform: Platform,
  id: z.string().min(1),
  /** Display name for messages ("@alice"); never used for authorization. */
  name: z.string(),
  groups: z.array(z.string()).default([]),
});
export type ChatUser = z.infer<typeof ChatUser>;

/** Where a conversation lives: a channel, and once the root message exists, its thread. */
export const ConversationRef = z.object({
  platform: Platform,
  channel: z.string().min(1),
  /** Platform id of the root message (Slack ts, Discord message id); null until it is posted. */
  rootMessageId: z.string().nullable().default(null),
  /** Thread id (Slack: root ts; Discord: thread channel id); null until it exists. */
  threadId: z.string().nullable().default(null),
  /**
   * Adapter-private reference to the event this conversation (or click) came from, e.g. a Discord
   * interaction id whose token the adapter keeps in memory. Never a secret or a token itself.
   */
  handle: z.string().max(200).nullable().default(null),
});
export type ConversationRef = z.infer<typeof ConversationRef>;

/**
 * What a person did, as every platform reports it. `deliveryId` is the platform's own id of this one
 * event (Slack trigger_id or event_id, a Discord interaction id): the same id again is a replay or a
 * redelivery, and the bot acts on it once.
 */
export type Inbound =
  | { kind: 'command'; text: string; user: ChatUser; where: ConversationRef; receivedAt: string; deliveryId?: string }
  | { kind: 'action'; actionId: string; user: ChatUser; where: ConversationRef; messageId: string; receivedAt: string; deliveryId?: string };

// The Card is one zod schema, and its type is inferred from it: a field added here is checked
// when a job carrying the Card is read back, exactly as it type-checks.
export const CardStatus = z.enum(['info', 'running', 'ok', 'warning', 'problem', 'unknown', 'pending', 'done', 'refused']);
export type CardStatus = z.infer<typeof CardStatus>;

export const CardSection = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }).strict(),
  z.object({ kind: z.literal('fields'), fields: z.array(z.object({ label: z.string(), value: z.string() }).strict()) }).strict(),
  z.object({ kind: z.literal('code'), text: z.string() }).strict(),
]);
export type CardSection = z.infer<typeof CardSection>;

export const CardAction = z
  .object({
    /** Opaque id the bot resolves on click (e.g. "approve:<approvalId>"); never carries secrets or plans. */
    id: z.string().min(1).max(100),
    label: z.string(),
    style: z.enum(['primary', 'danger', 'default']),
    /**
     * A confirm dialog for disruptive and security-weakening fixes. pressTwice: where the platform has
     * no dialog (Discord), the button acts only on a second press by the same person, soon after.
     */
    confirm: z.object({ title: z.string(), text: z.string(), confirm: z.string(), deny: z.string(), pressTwice: z.boolean().optional() }).strict().optional(),
  })
  .strict();
export type CardAction = z.infer<typeof CardAction>;

/**
 * Most bytes (UTF-8) of a card's file. The file travels as job data through Redis, and every platform
 * takes it: Slack's limit is 1 GB, Discord's smallest upload limit 10 MiB. An evidence export or a
 * plan's PowerShell is tens of kilobytes.
 */
export const MAX_FILE_BYTES = 1_000_000;

/**
 * A file a card carries: Slack uploads it into the card's thread (files.uploadV2), Discord attaches
 * it to the message, the console writes it to a file and shows the path. Never secrets.
 */
export const CardFile = z
  .object({
    /** A plain file name: letters, digits, dot, dash, underscore (it becomes a path on the console). */
    name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, 'a file name of letters, digits, ".", "-" and "_" (at most 100)'),
    mime: z.enum(['application/json', 'text/x-powershell', 'text/plain']),
    content: z.string().refine((s) => Buffer.byteLength(s, 'utf8') <= MAX_FILE_BYTES, `a card's file is at most ${MAX_FILE_BYTES} bytes`),
  })
  .strict();
export type CardFile = z.infer<typeof CardFile>;

/** One platform-neutral message. Each adapter renders it in its idiom and within its limits. */
export const Card = z
  .object({
    title: z.string(),
    status: CardStatus,
    sections: z.array(CardSection),
    actions: z.array(CardAction),
    /** Small print: who asked, when, ids. */
    footer: z.string().optional(),
    /** What a phone's notification shows (Slack's `text`): the cause, not just the title. Defaults to the title. */
    notification: z.string().optional(),
    /** Ping the platform's on-call group (Discord role, Slack user group) with this message. */
    notify: z.literal('oncall').optional(),
    /** A file shown with the message (root and reply posts; an ephemeral card cannot carry one on Slack). */
    file: CardFile.optional(),
  })
  .strict();
export type Card = z.infer<typeof Card>;
