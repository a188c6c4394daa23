// Undo records in Redis, so any worker on any machine can undo a fix another worker applied.
// One JSON string per record, and a sorted set per host (newest first) for listing.
import type { ChainableCommander, Redis } from 'ioredis';
import { UNDO_ID_PATTERN, type StoredUndoRecord, type UndoStore } from '../rdp/undo-store.ts';

const RETAIN_MS = 90 * 24 * 3600_000;

export class RedisUndoStore implements UndoStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key = (undoId: string): string => `${this.prefix}:undo:${undoId}`;
  private hostKey = (host: string): string => `${this.prefix}:undo-by-host:${host.toLowerCase()}`;

  async save(record: StoredUndoRecord): Promise<void> {
    await this.queueSave(this.redis.multi(), record).exec();
  }

  /** Adds the save to `tx`, so another store's write (a step journal's) and the save are one round trip. */
  queueSave(tx: ChainableCommander, record: StoredUndoRecord): ChainableCommander {
    if (!UNDO_ID_PATTERN.test(record.undoId)) throw new Error(`invalid undo id ${JSON.stringify(record.undoId)}`);
    const score = Date.parse(record.createdAt) || Date.now();
    tx.set(this.key(record.undoId), JSON.stringify(record), 'PX', RETAIN_MS);
    for (const h of new Set([record.host, record.targetId].filter((x): x is string => !!x).map((x) => x.toLowerCase()))) {
      tx.zadd(this.hostKey(h), score, record.undoId).pexpire(this.hostKey(h), RETAIN_MS);
    }
    return tx;
  }

  async load(undoId: string): Promise<StoredUndoRecord | null> {
    if (!UNDO_ID_PATTERN.test(undoId)) return null;
    const raw = await this.redis.get(this.key(undoId));
    return raw ? (JSON.parse(raw) as StoredUndoRecord) : null;
  }

  async markUndone(undoId: string, at: string): Promise<void> {
    const r = await this.load(undoId);
    if (!r) throw new Error(`no undo record ${undoId}`);
    await this.redis.set(this.key(undoId), JSON.stringify({ ...r, undoneAt: at }), 'KEEPTTL');
  }

  async list(host: string): Promise<StoredUndoRecord[]> {
    const ids = await this.redis.zrevrange(this.hostKey(host), 0, 99);
    const records = await Promise.all(ids.map((id) => this.load(id)));
    return records.filter((r): r is StoredUndoRecord => r !== null);
  }
}
