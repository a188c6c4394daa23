// Posts begun but not confirmed: the deliver worker marks a message before it asks the platform to
// post it, and clears the mark when the platform answered (posted, or certainly refused). A mark
// still there on the next attempt means the last answer was lost (a timeout after the platform
// accepted, a crash between the post and its receipt): the adapter looks for the message first.
import type { Redis } from './redis.ts';

export class UnconfirmedPosts {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlMs = 7 * 24 * 3600_000,
  ) {}

  private readonly key = (conversationId: string): string => `${this.prefix}:conv:${conversationId}:unconfirmed`;

  /** When an unconfirmed attempt to post `key` began, or null if none is outstanding. */
  async since(conversationId: string, key: string): Promise<Date | null> {
    const at = await this.redis.hget(this.key(conversationId), key);
    return at === null ? null : new Date(Number(at));
  }

  /** Marks an attempt as begun; an older outstanding mark is kept (its post may be the one out there). */
  async begin(conversationId: string, key: string, at: number): Promise<void> {
    await this.redis.multi().hsetnx(this.key(conversationId), key, String(at)).pexpire(this.key(conversationId), this.ttlMs).exec();
  }

  /** The attempt's outcome is known (posted and receipted, or refused): nothing to look for. */
  async clear(conversationId: string, key: string): Promise<void> {
    await this.redis.hdel(this.key(conversationId), key);
  }
}
