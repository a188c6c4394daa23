// Posts begun but not confirmed: the deliver worker marks a message before it asks the platform to
// post it, and clears the mark when the platform answered (posted, or certainly refused). A mark
// still there on the next attempt means the last answer was lost (a timeout after the platform
// accepted, a crash between the post and its receipt): the adapter looks for the message first.
import { z } from 'zod';
import { RecordFormat } from './record.ts';
import type { Redis } from './redis.ts';
import type { StoreOptions } from './store-options.ts';

/** Bump when the mark changes incompatibly (record.ts). */
export const UNCONFIRMED_POST_FORMAT = 1;
const DEFAULT_TTL_MS = 7 * 24 * 3600_000;

const Mark = z.object({ at: z.number().int().nonnegative() }).strict();

export class UnconfirmedPosts {
  private readonly format: RecordFormat<typeof Mark>;
  private readonly ttlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: StoreOptions & { ttlMs?: number } = {},
  ) {
    this.format = new RecordFormat('unconfirmed post', UNCONFIRMED_POST_FORMAT, Mark, opts.report);
    this.ttlMs = opts.ttlMs ?? DEFAULT_TTL_MS;
  }

  private readonly key = (conversationId: string): string => `${this.prefix}:conv:${conversationId}:unconfirmed`;

  /**
   * When an unconfirmed attempt to post `key` began, or null if none is outstanding. A mark this
   * version cannot read is reported and still counts (its post may be out there): in doubt since
   * the oldest time a mark can be from, so the adapter looks before posting rather than doubling.
   */
  async since(conversationId: string, key: string, now = Date.now()): Promise<Date | null> {
    const raw = await this.redis.hget(this.key(conversationId), key);
    if (raw === null) return null;
    const mark = this.format.decode(raw, `${this.key(conversationId)}#${key}`);
    return new Date(mark ? mark.at : now - this.ttlMs);
  }

  /** Marks an attempt as begun; an older outstanding mark is kept (its post may be the one out there). */
  async begin(conversationId: string, key: string, at: number): Promise<void> {
    await this.redis.multi().hsetnx(this.key(conversationId), key, this.format.encode({ at })).pexpire(this.key(conversationId), this.ttlMs).exec();
  }

  /** The attempt's outcome is known (posted and receipted, or refused): nothing to look for. */
  async clear(conversationId: string, key: string): Promise<void> {
    await this.redis.hdel(this.key(conversationId), key);
  }
}
