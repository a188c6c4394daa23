// Conversations in Redis: where a request lives (channel, root message, thread), who asked, and a
// receipt per delivered message (its platform id), so the deliver worker posts each message once,
// updates the right one, and a click on any of them finds its conversation again.
import { z } from 'zod';
import type { PostedMessage } from '../chat/adapter.ts';
import { ChatUser, ConversationRef, type Platform } from '../chat/model.ts';
import { runLua, type LuaScript, type Redis } from './redis.ts';

export const ConversationKind = z.enum(['check', 'fleet', 'fix', 'undo', 'info']);
export type ConversationKind = z.infer<typeof ConversationKind>;

export const ConversationRecord = z
  .object({
    id: z.string(),
    kind: ConversationKind,
    ref: ConversationRef,
    requester: ChatUser,
    createdAt: z.string().datetime(),
    /** What was asked about: a host id or a fleet selector ("group:lab"). */
    subject: z.string().default(''),
  })
  .strict();
export type ConversationRecord = z.infer<typeof ConversationRecord>;

const Receipt = z.object({ messageId: z.string(), threadId: z.string().nullable() }).strict();

/** KEYS[1] versions hash; ARGV field, version. Sets it if newer; returns 1 if set. */
const NEWER: LuaScript = {
  name: 'rdpMedicNewerVersion',
  numberOfKeys: 1,
  lua: `
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
if tonumber(ARGV[2]) <= cur then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`,
};

export class ConversationStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 7 * 24 * 3600_000,
  ) {}

  private key = (id: string, part = ''): string => `${this.prefix}:conv:${id}${part}`;
  private indexKey = (platform: Platform, messageId: string): string => `${this.prefix}:conv-by-msg:${platform}:${messageId}`;

  async create(record: z.input<typeof ConversationRecord>): Promise<ConversationRecord> {
    const r = ConversationRecord.parse(record);
    await this.redis.set(this.key(r.id), JSON.stringify(r), 'PX', this.ttlMs);
    return r;
  }

  async get(id: string): Promise<ConversationRecord | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? ConversationRecord.parse(JSON.parse(raw)) : null;
  }

  async receipt(id: string, key: string): Promise<PostedMessage | null> {
    const raw = await this.redis.hget(this.key(id, ':msgs'), key);
    return raw ? Receipt.parse(JSON.parse(raw)) : null;
  }

  /** Records a delivered message; the root's ids become the conversation's root and thread. */
  async recordPosted(id: string, key: string, posted: PostedMessage): Promise<void> {
    const conv = await this.get(id);
    const tx = this.redis.multi();
    tx.hset(this.key(id, ':msgs'), key, JSON.stringify(Receipt.parse(posted)));
    tx.pexpire(this.key(id, ':msgs'), this.ttlMs);
    if (conv) {
      if (posted.messageId) tx.set(this.indexKey(conv.ref.platform, posted.messageId), id, 'PX', this.ttlMs);
      if (key === 'root') {
        const ref = { ...conv.ref, rootMessageId: posted.messageId, threadId: posted.threadId ?? conv.ref.threadId };
        tx.set(this.key(id), JSON.stringify({ ...conv, ref }), 'PX', this.ttlMs);
      }
    }
    await tx.exec();
  }

  /** The newest version of message `of` delivered so far (-1: none): older updates are dropped. */
  async deliveredVersion(id: string, of: string): Promise<number> {
    const v = await this.redis.hget(this.key(id, ':versions'), of);
    return v === null ? -1 : Number(v);
  }

  /** Records a delivered update's version unless a newer one was recorded meanwhile. */
  async recordVersion(id: string, of: string, version: number): Promise<void> {
    await runLua(this.redis, NEWER, [this.key(id, ':versions')], [of, version, this.ttlMs]);
  }

  /** The conversation a message belongs to (a click on it, or on its thread). */
  async byMessage(platform: Platform, messageId: string): Promise<ConversationRecord | null> {
    const id = await this.redis.get(this.indexKey(platform, messageId));
    return id ? this.get(id) : null;
  }
}
