// The dead-letter list: deliver jobs the deliver worker gave up on (their retry window closed, the
// platform refused them for good, or what they waited for was itself given up on). Each entry keeps
// the job's messages, so `rdp-medic deliveries redrive` can put it back on the queue after the
// platform (or a permission) is fixed; receipts make a re-drive post only what is still missing.
// Entries expire after DEAD_LETTER_TTL_MS; /healthz, /metrics and `rdp-medic deliveries` show them.
import { z } from 'zod';
import { Platform } from '../chat/model.ts';
import { jobId, type Queues } from './queues.ts';
import { RecordFormat } from './record.ts';
import type { Redis } from './redis.ts';
import { ConversationId, DeliverJob } from './schemas.ts';
import type { StoreOptions } from './store-options.ts';

/** Two weeks: longer than BullMQ keeps failed jobs, long enough to notice over a holiday. */
export const DEAD_LETTER_TTL_MS = 14 * 24 * 3600_000;
/** Bump when DeadLetter changes incompatibly (record.ts). */
export const DEAD_LETTER_FORMAT = 1;

export const DeadLetter = z
  .object({
    /** The deliver job's id; also how `rdp-medic deliveries redrive` names it. */
    id: z.string().min(1).max(300),
    platform: Platform,
    conversationId: ConversationId,
    /** The message keys it carries (root, reply keys, upd.<of>.<version>, eph.<key>). */
    keys: z.array(z.string()).min(1),
    /** Why it was given up on, without secrets (adapter errors are scrubbed). */
    reason: z.string().max(1000),
    failedAt: z.string().datetime(),
    /** When its first attempt failed; null if it never failed itself (it waited for another message). */
    failingSince: z.string().datetime().nullable(),
    attempts: z.number().int().min(0),
    /** What to deliver when re-driven (without its old failingSince). */
    job: DeliverJob,
  })
  .strict();
export type DeadLetter = z.infer<typeof DeadLetter>;

/** The receipt key of each message of a deliver job (what a waiting message asks about). */
export const messageKeysOf = (job: DeliverJob): string[] =>
  job.messages.map((m) => (m.op === 'update' ? `upd.${m.of}.${m.version}` : m.op === 'ephemeral' ? `eph.${m.key}` : m.key));

export class DeadLetters {
  private readonly format: RecordFormat<typeof DeadLetter>;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: StoreOptions & { ttlMs?: number } = {},
  ) {
    this.format = new RecordFormat('dead letter', DEAD_LETTER_FORMAT, DeadLetter, opts.report);
    this.ttlMs = opts.ttlMs ?? DEAD_LETTER_TTL_MS;
  }

  private readonly indexKey = (): string => `${this.prefix}:dead-letters`;
  private readonly entryKey = (id: string): string => `${this.prefix}:dead-letter:${id}`;
  /** Per conversation: message key -> dead letter id, so a waiting message learns its wait is over. */
  private readonly convKey = (conversationId: string): string => `${this.prefix}:dead-letters:conv:${conversationId}`;

  async add(entry: DeadLetter): Promise<void> {
    const raw = this.format.encode(entry);
    const e = DeadLetter.parse(entry);
    const at = Date.parse(e.failedAt);
    const tx = this.redis.multi();
    tx.set(this.entryKey(e.id), raw, 'PX', this.ttlMs);
    tx.zadd(this.indexKey(), at, e.id);
    tx.zremrangebyscore(this.indexKey(), '-inf', at - this.ttlMs);
    for (const key of e.keys) tx.hset(this.convKey(e.conversationId), key, e.id);
    tx.pexpire(this.convKey(e.conversationId), this.ttlMs);
    await tx.exec();
  }

  /** The dead letter holding message `key` of a conversation, if that message was given up on. */
  async holding(conversationId: string, key: string): Promise<string | null> {
    return this.redis.hget(this.convKey(conversationId), key);
  }

  /** The entry, or null when there is none or another version wrote it (reported). */
  async get(id: string): Promise<DeadLetter | null> {
    return this.format.decode(await this.redis.get(this.entryKey(id)), this.entryKey(id));
  }

  /** How many entries there are (expired ones are dropped from the index first). */
  async count(): Promise<number> {
    const [, n] = (await this.redis.multi().zremrangebyscore(this.indexKey(), '-inf', Date.now() - this.ttlMs).zcard(this.indexKey()).exec()) ?? [];
    return Number(n?.[1] ?? 0);
  }

  /** Entries this version can read, oldest first, at most `limit` (others are reported and left). */
  async list(limit = 1000): Promise<DeadLetter[]> {
    await this.redis.zremrangebyscore(this.indexKey(), '-inf', Date.now() - this.ttlMs);
    const ids = await this.redis.zrange(this.indexKey(), 0, Math.max(0, limit - 1));
    if (!ids.length) return [];
    const raws = await this.redis.mget(ids.map(this.entryKey));
    const out: DeadLetter[] = [];
    const gone: string[] = [];
    raws.forEach((raw, i) => {
      if (raw === null) return gone.push(ids[i]!);
      const letter = this.format.decode(raw, this.entryKey(ids[i]!));
      if (letter) out.push(letter);
    });
    if (gone.length) await this.redis.zrem(this.indexKey(), ...gone);
    return out;
  }

  /**
   * Removes an entry and returns it; null if there is none (already re-driven, or expired) or this
   * version cannot read it (reported, and left for the version that wrote it).
   */
  async take(id: string): Promise<DeadLetter | null> {
    const e = await this.get(id);
    if (!e) return null;
    // The DEL decides between two simultaneous takes: only one re-drives it.
    const res = await this.redis.multi().del(this.entryKey(id)).zrem(this.indexKey(), id).exec();
    if (Number(res?.[0]?.[1] ?? 0) !== 1) return null;
    // Only the fields that still name this entry: a newer dead letter may hold the same key.
    const conv = this.convKey(e.conversationId);
    const held = await this.redis.hmget(conv, ...e.keys);
    const mine = e.keys.filter((_, i) => held[i] === id);
    if (mine.length) await this.redis.hdel(conv, ...mine);
    return e;
  }
}

/**
 * Puts a dead letter back on the deliver queue under a new job id (the old one may still sit among
 * BullMQ's failed jobs, whose id would make the add a no-op) and removes it from the list.
 * Returns the new job id, or null if there is no such entry.
 */
export async function redrive(queues: Queues, letters: DeadLetters, id: string, now = Date.now()): Promise<{ letter: DeadLetter; jobId: string } | null> {
  const letter = await letters.take(id);
  if (!letter) return null;
  const newId = jobId(`${id.replace(/\.redrive-[0-9a-z]+$/, '')}.redrive-${now.toString(36)}`);
  try {
    await queues.deliver.add('deliver', DeliverJob.parse(letter.job), { jobId: newId });
  } catch (e) {
    // Not on the queue: keep it listed so it is not lost.
    await letters.add(letter);
    throw e;
  }
  // The failed BullMQ job is history now; removing it keeps the failed count meaningful.
  await queues.deliver.remove(id).catch(() => 0);
  return { letter, jobId: newId };
}
