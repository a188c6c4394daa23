// The REST calls the adapter makes, as raw API bodies through discord.js's REST client (its
// rate-limit buckets and timeout apply). Interaction tokens go into webhook routes only; those
// routes are sent without the bot's Authorization header, as Discord expects, and through a REST
// client of their own: Discord does not bind interaction endpoints to the bot's global 50
// requests/s, so a verdict edit must not queue behind thread posts in the global limiter (their
// per-token buckets still apply).
import { Routes, type APIChannel, type APIMessage, type RawFile, type REST } from 'discord.js';
import type { DiscordMessage } from './render.ts';

export type MessageBody = DiscordMessage & { nonce?: string; enforce_nonce?: boolean; flags?: number };

/** Files sent with a message (multipart; see attachment.ts), when there are any. */
const withFiles = (files: RawFile[] | undefined): { files?: RawFile[] } => (files?.length ? { files } : {});

/** Threads opened from a root message archive after a day without messages (the default). */
const AUTO_ARCHIVE_MINUTES = 1440;

export class DiscordRest {
  constructor(
    private readonly rest: REST,
    private readonly applicationId: string,
    /** For the interaction webhook routes (see above); defaults to `rest`. */
    private readonly interactionRest: REST = rest,
  ) {}

  createMessage(channelId: string, body: MessageBody, files?: RawFile[]): Promise<APIMessage> {
    return this.rest.post(Routes.channelMessages(channelId), { body, ...withFiles(files) }) as Promise<APIMessage>;
  }

  editMessage(channelId: string, messageId: string, body: DiscordMessage): Promise<APIMessage> {
    return this.rest.patch(Routes.channelMessage(channelId, messageId), { body }) as Promise<APIMessage>;
  }

  startThread(channelId: string, messageId: string, name: string): Promise<APIChannel> {
    return this.rest.post(Routes.threads(channelId, messageId), { body: { name, auto_archive_duration: AUTO_ARCHIVE_MINUTES } }) as Promise<APIChannel>;
  }

  /** Up to `limit` (1-100) messages of a channel or thread created after message id `after`. */
  messagesAfter(channelId: string, after: string, limit: number): Promise<APIMessage[]> {
    return this.rest.get(Routes.channelMessages(channelId), { query: new URLSearchParams({ after, limit: String(limit) }) }) as Promise<APIMessage[]>;
  }

  getChannel(channelId: string): Promise<APIChannel> {
    return this.rest.get(Routes.channel(channelId)) as Promise<APIChannel>;
  }

  /** Edits a message sent through the interaction's webhook ('@original' = the interaction's own response). */
  editInteractionMessage(token: string, messageId: string, body: DiscordMessage, files?: RawFile[]): Promise<APIMessage> {
    return this.interactionRest.patch(Routes.webhookMessage(this.applicationId, token, messageId), { body, auth: false, ...withFiles(files) }) as Promise<APIMessage>;
  }

  /** Deletes the interaction's own response (the "thinking…" placeholder of a deferral). */
  async deleteOriginal(token: string): Promise<void> {
    await this.interactionRest.delete(Routes.webhookMessage(this.applicationId, token, '@original'), { auth: false });
  }

  followUp(token: string, body: MessageBody, files?: RawFile[]): Promise<APIMessage> {
    return this.interactionRest.post(Routes.webhook(this.applicationId, token), { body, auth: false, query: new URLSearchParams({ wait: 'true' }), ...withFiles(files) }) as Promise<APIMessage>;
  }
}
