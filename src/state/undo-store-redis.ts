// Undo records in Redis, so any worker on any machine can undo a fix another worker applied.
// One JSON string per record (with its format version), and a sorted set per host (newest first)
// for listing. A record this version cannot read is reported and left out, never guessed at.
import { z } from 'zod';
import type { ChainableCommander, Redis } from 'ioredis';
import { UNDO_ID_PATTERN, type StoredUndoRecord, type UndoStore } from '../rdp/undo-store.ts';
import type { WriteConfirmer } from './durable.ts';
import { RecordFormat } from './record.ts';
import { confirmerOf, type StoreOptions } from './store-options.ts';
import { UndoId } from './ids.ts';

const RETAIN_MS = 90 * 24 * 3600_000;

export const UNDO_RECORD_FORMAT = 1;

/** The fields this version relies on; the plan itself is the host side's (compare-and-set ops). */
const StoredUndoShape = z.looseObject({
  undoId: UndoId,
  host: z.string().min(1),
  fixId: z.string().min(1),
  createdAt: z.string(),
  plan: z.looseObject({}),
  revertTask: z.string().nullable(),
  undoneAt: z.string().optional(),
  targetId: z.string().optional(),
});
const StoredUndo = z.custom<StoredUndoRecord>((r) => StoredUndoShape.safeParse(r).success, 'not an undo record');

export class RedisUndoStore implements UndoStore {
  private readonly format: RecordFormat<typeof StoredUndo>;
  private readonly confirm: WriteConfirmer;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: StoreOptions = {},
  ) {
    this.format = new RecordFormat('undo record', UNDO_RECORD_FORMAT, StoredUndo, opts.report);
    this.confirm = confirmerOf(opts);
  }

  private key = (undoId: string): string => `${this.prefix}:undo:${undoId}`;
  private hostKey = (host: string): string => `${this.prefix}:undo-by-host:${host.toLowerCase()}`;

  /** Confirmed on a replica: the host has changed already, and a lost record could not be undone. */
  async save(record: StoredUndoRecord): Promise<void> {
    await this.confirm.durably(() => this.queueSave(this.redis.multi(), record).exec());
  }

  /** Adds the save to `tx`, so another store's write (a step journal's) and the save are one round trip. */
  queueSave(tx: ChainableCommander, record: StoredUndoRecord): ChainableCommander {
    if (!UNDO_ID_PATTERN.test(record.undoId)) throw new Error(`invalid undo id ${JSON.stringify(record.undoId)}`);
    const score = Date.parse(record.createdAt) || Date.now();
    const value = this.format.encode(record);
    tx.set(this.key(record.undoId), value, 'PX', RETAIN_MS);
    for (const h of new Set([record.host, record.targetId].filter((x): x is string => !!x).map((x) => x.toLowerCase()))) {
      tx.zadd(this.hostKey(h), score, record.undoId).pexpire(this.hostKey(h), RETAIN_MS);
    }
    return tx;
  }

  async load(undoId: string): Promise<StoredUndoRecord | null> {
    if (!UNDO_ID_PATTERN.test(undoId)) return null;
    return this.format.decode(await this.redis.get(this.key(undoId)), this.key(undoId));
  }

  async markUndone(undoId: string, at: string): Promise<void> {
    const r = await this.load(undoId);
    if (!r) throw new Error(`no undo record ${undoId} that this version can read`);
    const value = this.format.encode({ ...r, undoneAt: at });
    await this.confirm.durably(() => this.redis.set(this.key(undoId), value, 'KEEPTTL'));
  }

  async list(host: string): Promise<StoredUndoRecord[]> {
    const ids = await this.redis.zrevrange(this.hostKey(host), 0, 99);
    const records = await Promise.all(ids.map((id) => this.load(id)));
    return records.filter((r): r is StoredUndoRecord => r !== null);
  }
}
