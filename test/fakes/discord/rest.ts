// The fake REST v10 API: the routes discord.js and the adapter call, over a small in-memory world
// (channels, messages, threads, interactions). It answers as Discord does: 204 for callbacks,
// Discord error codes in JSON bodies, 400/50035 for messages beyond the limits, enforce_nonce
// de-duplication for a few minutes (nonceWindowMs), the nonce echoed on create only (Discord does
// not store it: fetched messages have none), 160004 for a second thread on one message, 10062/10015
// for dead interactions.
import { IDS, snowflake } from './snowflake.ts';
import { messageObject, textChannel, botUser } from './payloads.ts';
import { messageProblems } from './limits-check.ts';

export interface RestReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** A file part of a multipart request (files[index]), kept on the message as an attachment. */
export interface UploadedFile {
  index: number;
  name: string;
  contentType: string;
  bytes: Buffer;
}

/** Where the server puts a multipart request's file parts in the parsed body. */
export const FILES = '__files';

/** Discord's upload limit for a server without boosts (10 MiB): beyond it, 413 with code 40005. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface StoredMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: unknown[];
  components: unknown[];
  flags: number;
  nonce?: string;
  allowed_mentions?: unknown;
  /** Sent through an interaction's webhook (its response or a follow-up). */
  interactionId?: string;
  deleted?: boolean;
  /** Files sent with the message (multipart), as the attachments Discord shows. */
  attachments?: { id: string; filename: string; size: number; content_type: string; bytes: Buffer }[];
}

export interface StoredInteraction {
  id: string;
  token: string;
  type: number;
  channelId: string;
  payload: Record<string, unknown>;
  sentAt: number;
  callback?: { type: number; body: unknown; at: number };
  /** The command's response message, or the clicked message for components. */
  originalId?: string;
  expired?: boolean;
}

export interface FakeWorld {
  token: string;
  channels: Map<string, Record<string, unknown>>;
  messages: Map<string, StoredMessage>;
  interactions: Map<string, StoredInteraction>;
  /** channel:nonce -> the message created with it, and when. */
  nonces: Map<string, { id: string; at: number }>;
  /** How long enforce_nonce finds an earlier message ("the past few minutes"). */
  nonceWindowMs: number;
  threadsOf: Set<string>;
  commands: Map<string, unknown[]>;
  gatewayUrl: () => string;
  onThreadCreated: (thread: Record<string, unknown>) => void;
}

export function newWorld(token: string, gatewayUrl: () => string, onThreadCreated: (t: Record<string, unknown>) => void): FakeWorld {
  const channels = new Map<string, Record<string, unknown>>([
    [IDS.channel, textChannel(IDS.channel, 'ops')],
    [IDS.otherChannel, textChannel(IDS.otherChannel, 'other')],
  ]);
  return { token, channels, messages: new Map(), interactions: new Map(), nonces: new Map(), nonceWindowMs: 5 * 60_000, threadsOf: new Set(), commands: new Map(), gatewayUrl, onThreadCreated };
}

const err = (status: number, code: number, message: string, extra: Record<string, unknown> = {}): RestReply => ({ status, body: { message, code, ...extra } });
const json = (body: unknown, status = 200): RestReply => ({ status, body });

function toApi(m: StoredMessage, type = 0): Record<string, unknown> {
  return messageObject({ id: m.id, channel_id: m.channel_id, content: m.content, embeds: m.embeds, components: m.components, flags: m.flags, type, ...(m.interactionId ? { webhook_id: IDS.application } : {}) });
}

function writeMessage(world: FakeWorld, m: StoredMessage, body: Record<string, unknown>): void {
  if ('content' in body) m.content = String(body.content ?? '');
  if ('embeds' in body) m.embeds = (body.embeds as unknown[]) ?? [];
  if ('components' in body) m.components = (body.components as unknown[]) ?? [];
  if ('allowed_mentions' in body) m.allowed_mentions = body.allowed_mentions;
  const files = body[FILES] as UploadedFile[] | undefined;
  if (files?.length) m.attachments = files.map((f) => ({ id: snowflake(), filename: f.name, size: f.bytes.length, content_type: f.contentType, bytes: f.bytes }));
  world.messages.set(m.id, m);
}

/** Files beyond Discord's limit (413, 40005), and `attachments` entries naming no file part (50035). */
function badFiles(body: Record<string, unknown>): RestReply | null {
  const files = (body[FILES] as UploadedFile[] | undefined) ?? [];
  if (files.some((f) => f.bytes.length > MAX_UPLOAD_BYTES)) return err(413, 40005, 'Request entity too large');
  const named = Array.isArray(body.attachments) ? (body.attachments as { id?: unknown; filename?: unknown }[]) : [];
  const missing = named.find((a) => !files.some((f) => f.index === Number(a.id)));
  if (missing) return err(400, 50035, 'Invalid Form Body', { errors: { attachments: { _errors: [{ code: 'ATTACHMENT_NOT_FOUND', message: `no file for attachment ${String(missing.id)}` }] } } });
  return null;
}

function invalid(body: unknown): RestReply | null {
  const files = badFiles((body ?? {}) as Record<string, unknown>);
  if (files) return files;
  const problems = messageProblems(body);
  if (!problems.length) return null;
  return err(400, 50035, 'Invalid Form Body', { errors: Object.fromEntries(problems.map((p) => [p.path, { _errors: [{ code: 'BASE_TYPE_BAD_LENGTH', message: p.message }] }])) });
}

function createMessage(world: FakeWorld, channelId: string, body: Record<string, unknown>, extra: Partial<StoredMessage> = {}): StoredMessage {
  const m: StoredMessage = { id: snowflake(), channel_id: channelId, content: '', embeds: [], components: [], flags: Number(body.flags ?? 0), ...extra };
  writeMessage(world, m, body);
  return m;
}

function interactionByToken(world: FakeWorld, app: string, token: string): StoredInteraction | RestReply {
  const i = [...world.interactions.values()].find((x) => x.token === token);
  if (!i || i.expired || app !== IDS.application) return err(404, 10015, 'Unknown Webhook');
  return i;
}

/** Routes one request (path without /api/v10, already percent-decoded). */
export function route(world: FakeWorld, method: string, path: string, query: URLSearchParams, auth: string | undefined, body: unknown): RestReply {
  const parts = path.split('/').filter(Boolean);
  const b = (body ?? {}) as Record<string, unknown>;
  const isWebhook = parts[0] === 'webhooks' || parts[0] === 'interactions';
  if (!isWebhook && auth !== `Bot ${world.token}`) return err(401, 0, '401: Unauthorized');
  const at = performance.now();
  const key = `${method} /${parts.map((p, i) => (/^\d+$/.test(p) || (isWebhook && i === 2) ? ':x' : p)).join('/')}`;

  switch (key) {
    case 'GET /gateway/bot':
      return json({ url: world.gatewayUrl(), shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } });
    case 'GET /gateway':
      return json({ url: world.gatewayUrl() });
    case 'GET /users/@me':
      return json(botUser);
    case 'PUT /applications/:x/commands':
    case 'PUT /applications/:x/guilds/:x/commands': {
      const guild = parts.length === 5 ? parts[3]! : null;
      const registered = (Array.isArray(body) ? body : []).map((c: Record<string, unknown>) => ({
        id: snowflake(), application_id: parts[1], ...(guild ? { guild_id: guild } : {}), version: snowflake(), default_member_permissions: null, nsfw: false, ...c,
      }));
      world.commands.set(guild ?? 'global', registered);
      return json(registered);
    }
    case 'GET /applications/:x/commands':
    case 'GET /applications/:x/guilds/:x/commands':
      return json(world.commands.get(parts.length === 5 ? parts[3]! : 'global') ?? []);

    case 'POST /interactions/:x/:x/callback': {
      const i = world.interactions.get(parts[1]!);
      if (!i || i.token !== parts[2] || i.expired) return err(404, 10062, 'Unknown interaction');
      if (i.callback) return err(400, 40060, 'Interaction has already been acknowledged.');
      const type = Number(b.type);
      const data = (b.data ?? {}) as Record<string, unknown>;
      i.callback = { type, body, at };
      if (type === 4 || type === 5) {
        const m = createMessage(world, i.channelId, type === 4 ? data : {}, { interactionId: i.id, flags: Number(data.flags ?? 0) });
        i.originalId = m.id;
      } else if (type === 6 || type === 7) {
        i.originalId = ((i.payload.message ?? {}) as { id?: string }).id;
        if (type === 7 && i.originalId) {
          const m = world.messages.get(i.originalId) ?? { id: i.originalId, channel_id: i.channelId, content: '', embeds: [], components: [], flags: 0 };
          writeMessage(world, m, data);
        }
      }
      return query.get('with_response') === 'true'
        ? json({ interaction: { id: i.id, type: i.type, response_message_loading: type === 5 }, resource: { type } })
        : { status: 204 };
    }

    case 'GET /webhooks/:x/:x/messages/@original':
    case 'PATCH /webhooks/:x/:x/messages/@original':
    case 'DELETE /webhooks/:x/:x/messages/@original':
    case 'GET /webhooks/:x/:x/messages/:x':
    case 'PATCH /webhooks/:x/:x/messages/:x':
    case 'DELETE /webhooks/:x/:x/messages/:x': {
      const i = interactionByToken(world, parts[1]!, parts[2]!);
      if ('status' in i) return i;
      const id = parts[4] === '@original' ? i.originalId : parts[4];
      if (!i.callback || !id) return err(404, 10008, 'Unknown Message');
      let m = world.messages.get(id);
      if (!m && id === i.originalId && i.type === 3) {
        // The clicked message as the interaction carried it; the fake learns it on first edit.
        m = { id, channel_id: i.channelId, content: '', embeds: [], components: [], flags: 0 };
      }
      if (!m || m.deleted) return err(404, 10008, 'Unknown Message');
      if (method === 'DELETE') {
        m.deleted = true;
        return { status: 204 };
      }
      if (method === 'PATCH') {
        const bad = invalid(body);
        if (bad) return bad;
        writeMessage(world, m, b);
      }
      return json(toApi(m, i.type === 2 && id === i.originalId ? 20 : 0));
    }

    case 'POST /webhooks/:x/:x': {
      const i = interactionByToken(world, parts[1]!, parts[2]!);
      if ('status' in i) return i;
      if (!i.callback) return err(404, 10015, 'Unknown Webhook');
      const bad = invalid(body);
      if (bad) return bad;
      const m = createMessage(world, i.channelId, b, { interactionId: i.id, flags: Number(b.flags ?? 0) });
      return json(toApi(m));
    }

    case 'GET /channels/:x': {
      const c = world.channels.get(parts[1]!);
      return c ? json(c) : err(404, 10003, 'Unknown Channel');
    }

    case 'POST /channels/:x/messages': {
      const channelId = parts[1]!;
      if (!world.channels.has(channelId)) return err(404, 10003, 'Unknown Channel');
      const bad = invalid(body);
      if (bad) return bad;
      const nonce = typeof b.nonce === 'string' ? b.nonce : undefined;
      if (nonce && b.enforce_nonce === true) {
        const existing = world.nonces.get(`${channelId}:${nonce}`);
        if (existing && Date.now() - existing.at < world.nonceWindowMs) return json({ ...toApi(world.messages.get(existing.id)!), nonce });
      }
      const m = createMessage(world, channelId, b, nonce ? { nonce } : {});
      if (nonce) world.nonces.set(`${channelId}:${nonce}`, { id: m.id, at: Date.now() });
      return json({ ...toApi(m), ...(nonce ? { nonce } : {}) });
    }

    case 'GET /channels/:x/messages': {
      const channelId = parts[1]!;
      if (!world.channels.has(channelId)) return err(404, 10003, 'Unknown Channel');
      const limit = Math.min(Math.max(Number(query.get('limit') ?? 50) || 50, 1), 100);
      const after = query.get('after');
      const inChannel = [...world.messages.values()].filter((m) => m.channel_id === channelId && !m.deleted).sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
      // After an id: the `limit` messages right after it; otherwise the newest. Newest first either way.
      const chosen = after ? inChannel.filter((m) => BigInt(m.id) > BigInt(after)).slice(0, limit) : inChannel.slice(-limit);
      return json(chosen.reverse().map((m) => toApi(m)));
    }

    case 'GET /channels/:x/messages/:x':
    case 'PATCH /channels/:x/messages/:x': {
      const m = world.messages.get(parts[3]!);
      if (!world.channels.has(parts[1]!)) return err(404, 10003, 'Unknown Channel');
      if (!m || m.deleted || m.channel_id !== parts[1]) return err(404, 10008, 'Unknown Message');
      if (method === 'PATCH') {
        const bad = invalid(body);
        if (bad) return bad;
        writeMessage(world, m, b);
      }
      return json(toApi(m));
    }

    case 'POST /channels/:x/messages/:x/threads': {
      const [, channelId, , messageId] = parts as [string, string, string, string];
      const channel = world.channels.get(channelId);
      if (!channel) return err(404, 10003, 'Unknown Channel');
      if (channel.type !== 0 && channel.type !== 5) return err(400, 50024, 'Cannot execute action on this channel type');
      const m = world.messages.get(messageId);
      if (!m || m.channel_id !== channelId) return err(404, 10008, 'Unknown Message');
      if (world.threadsOf.has(messageId)) return err(400, 160004, 'A thread has already been created for this message');
      world.threadsOf.add(messageId);
      const now = new Date().toISOString();
      const thread = {
        id: messageId, type: 11, guild_id: IDS.guild, parent_id: channelId, owner_id: IDS.bot, name: String(b.name ?? ''),
        last_message_id: null, rate_limit_per_user: 0, message_count: 0, member_count: 1, flags: 0,
        thread_metadata: { archived: false, auto_archive_duration: Number(b.auto_archive_duration ?? 1440), archive_timestamp: now, locked: false, create_timestamp: now },
      };
      world.channels.set(messageId, thread);
      world.onThreadCreated(thread);
      return json(thread, 201);
    }
    default:
      return err(404, 0, '404: Not Found');
  }
}
