// Conversations in Redis: where a request lives (channel, root message, thread), who asked, and a
// receipt per delivered message (its platform id), so the deliver worker posts each message once,
// updates the right one, and a click on any of them finds its conversation again.
import { z } from 'zod';
import type { PostedMessage } from '../chat/adapter.ts';
import { Card, ChatUser, ConversationRef, type Platform } from '../chat/model.ts';
import type { WriteConfirmer } from './durable.ts';
import { RecordFormat } from './record.ts';
import { confirmerOf, type StoreOptions } from './store-options.ts';
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

export const CONVERSATION_FORMAT = 1;
export const RECEIPT_FORMAT = 1;

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

/**
 * KEYS[1] newest-cards hash; ARGV field, version, card JSON, ttl. Keeps the card if its version is
 * newer than the one held; returns the newest version held and its card (JSON).
 */
const OFFER_CARD: LuaScript = {
  name: 'rdpMedicOfferCard',
  numberOfKeys: 1,
  lua: `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur then
  local v = tonumber(string.match(cur, '^(%d+)\\n'))
  if v and v >= tonumber(ARGV[2]) then return cur end
end
local value = ARGV[2] .. '\\n' .. ARGV[3]
redis.call('HSET', KEYS[1], ARGV[1], value)
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return value
`,
};

/** The newest card offered for a message, with its version (see offerCard). */
export interface NewestCard {
  version: number;
  card: Card;
}

function newestOf(raw: string | null): NewestCard | null {
  if (raw === null) return null;
  const cut = raw.indexOf('\n');
  const parsed = Card.safeParse(JSON.parse(raw.slice(cut + 1)));
  return parsed.success && cut > 0 ? { version: Number(raw.slice(0, cut)), card: parsed.data } : null;
}

export class ConversationStore {
  private readonly records: RecordFormat<typeof ConversationRecord>;
  private readonly receipts: RecordFormat<typeof Receipt>;
  private readonly confirm: WriteConfirmer;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: StoreOptions & { ttlMs?: number } = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 7 * 24 * 3600_000;
    this.confirm = confirmerOf(opts);
    this.records = new RecordFormat('conversation', CONVERSATION_FORMAT, ConversationRecord, opts.report);
    this.receipts = new RecordFormat('delivery receipt', RECEIPT_FORMAT, Receipt, opts.report);
  }

  private key = (id: string, part = ''): string => `${this.prefix}:conv:${id}${part}`;
  private indexKey = (platform: Platform, messageId: string): string => `${this.prefix}:conv-by-msg:${platform}:${messageId}`;

  async create(record: z.input<typeof ConversationRecord>): Promise<ConversationRecord> {
    const r = ConversationRecord.parse(record);
    const value = this.records.encode(r);
    await this.confirm.durably(() => this.redis.set(this.key(r.id), value, 'PX', this.ttlMs));
    return r;
  }

  async get(id: string): Promise<ConversationRecord | null> {
    return this.records.decode(await this.redis.get(this.key(id)), this.key(id));
  }

  async receipt(id: string, key: string): Promise<PostedMessage | null> {
    const raw = await this.redis.hget(this.key(id, ':msgs'), key);
    if (raw === null) return null;
    // A receipt this version cannot read still says the message went out: never post it again
    // (its message id is unknown, so an update of it cannot find it; that is reported, not doubled).
    return this.receipts.decode(raw, `${this.key(id, ':msgs')} ${key}`) ?? { messageId: '', threadId: null };
  }

  /**
   * Records a delivered message; the root's ids become the conversation's root and thread.
   * Confirmed on a replica: a receipt lost in a failover would post the message again.
   */
  async recordPosted(id: string, key: string, posted: PostedMessage, version?: number): Promise<void> {
    await this.confirm.durably(() => this.writeReceipt(id, key, posted, version));
  }

  /** `version`: the message went out as that version of its updates (with the receipt, atomically). */
  private async writeReceipt(id: string, key: string, posted: PostedMessage, version?: number): Promise<void> {
    const conv = await this.get(id);
    const tx = this.redis.multi();
    tx.hset(this.key(id, ':msgs'), key, this.receipts.encode(posted));
    tx.pexpire(this.key(id, ':msgs'), this.ttlMs);
    if (version !== undefined && version >= 0) {
      // No update of it can have been delivered before its receipt existed: nothing newer to keep.
      tx.hset(this.key(id, ':versions'), key, version);
      tx.pexpire(this.key(id, ':versions'), this.ttlMs);
    }
    if (conv) {
      if (posted.messageId) tx.set(this.indexKey(conv.ref.platform, posted.messageId), id, 'PX', this.ttlMs);
      if (key === 'root') {
        const ref = { ...conv.ref, rootMessageId: posted.messageId, threadId: posted.threadId ?? conv.ref.threadId };
        tx.set(this.key(id), this.records.encode({ ...conv, ref }), 'PX', this.ttlMs);
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
    await this.confirm.durably(() => runLua(this.redis, NEWER, [this.key(id, ':versions')], [of, version, this.ttlMs]));
  }

  /**
   * Offers the card of an update (version `version` of message `of`) and returns the newest one
   * offered so far: pending edits of one message coalesce into the newest, which is what is sent.
   */
  async offerCard(id: string, of: string, version: number, card: Card): Promise<NewestCard> {
    const raw = (await this.confirm.durably(() => runLua(this.redis, OFFER_CARD, [this.key(id, ':cards')], [of, version, JSON.stringify(card), this.ttlMs]))) as string;
    return newestOf(raw) ?? { version, card };
  }

  /** The newest card offered for message `of`, if any (a root not posted yet is posted with it). */
  async newestCard(id: string, of: string): Promise<NewestCard | null> {
    return newestOf(await this.redis.hget(this.key(id, ':cards'), of));
  }

  /**
   * The card a post of message `of` is attempted with (version -1: the message's own card): kept so a
   * retry after a lost answer sends, and so finds, the same card as the attempt in doubt.
   */
  async rememberAttempt(id: string, of: string, attempt: NewestCard): Promise<void> {
    const tx = this.redis.multi();
    tx.hset(this.key(id, ':attempts'), of, `${attempt.version}\n${JSON.stringify(attempt.card)}`);
    tx.pexpire(this.key(id, ':attempts'), this.ttlMs);
    await this.confirm.durably(() => tx.exec());
  }

  async attempted(id: string, of: string): Promise<NewestCard | null> {
    return newestOf(await this.redis.hget(this.key(id, ':attempts'), of));
  }

  /** The conversation a message belongs to (a click on it, or on its thread). */
  async byMessage(platform: Platform, messageId: string): Promise<ConversationRecord | null> {
    const id = await this.redis.get(this.indexKey(platform, messageId));
    return id ? this.get(id) : null;
  }
}
