// Where undo records live until someone undoes a fix: a small interface (a Redis store comes later)
// and a file store, one JSON file per record, written atomically (temp file + rename) in a 0700 dir.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { UndoRecord } from './types.ts';

/** As stored: when it was undone, and the inventory id of the target (the record's `host` is the computer name). */
export type StoredUndoRecord = UndoRecord & { undoneAt?: string; targetId?: string };

export interface UndoStore {
  save(record: StoredUndoRecord): Promise<void>;
  load(undoId: string): Promise<StoredUndoRecord | null>;
  markUndone(undoId: string, at: string): Promise<void>;
  /** Records for a host: computer name or target id (case-insensitive), newest first. */
  list(host: string): Promise<StoredUndoRecord[]>;
}

// Crockford's base32 alphabet, lower case: no i, l, o, u, easy to read aloud and type.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
export const UNDO_ID_PATTERN = /^u-[0-9a-hjkmnp-tv-z]{8}$/;

/** `u-` + 8 base32 characters (40 random bits): short enough to type from a chat message. */
export function newUndoId(): string {
  const bytes = randomBytes(5);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 8; i++) out = ALPHABET[Number((bits >> BigInt(i * 5)) & 31n)] + out;
  return `u-${out}`;
}

/** `$XDG_STATE_HOME/rdp-medic/undo`, else `~/.local/state/rdp-medic/undo`; RDP_MEDIC_UNDO_DIR overrides. */
export function defaultUndoDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env['RDP_MEDIC_UNDO_DIR']) return env['RDP_MEDIC_UNDO_DIR'];
  const state = env['XDG_STATE_HOME'] || join(homedir(), '.local', 'state');
  return join(state, 'rdp-medic', 'undo');
}

const byNewest = (a: UndoRecord, b: UndoRecord): number => b.createdAt.localeCompare(a.createdAt);
const isFor = (r: StoredUndoRecord, host: string): boolean => [r.host, r.targetId].some((h) => h !== undefined && h.toUpperCase() === host.toUpperCase());

export class FileUndoStore implements UndoStore {
  constructor(readonly dir: string = defaultUndoDir()) {}

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  private path(undoId: string): string {
    return join(this.dir, `${undoId}.json`);
  }

  private async write(record: StoredUndoRecord): Promise<void> {
    await this.ensureDir();
    const tmp = join(this.dir, `.${record.undoId}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    await writeFile(tmp, JSON.stringify(record, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.path(record.undoId));
  }

  async save(record: StoredUndoRecord): Promise<void> {
    if (!UNDO_ID_PATTERN.test(record.undoId)) throw new Error(`invalid undo id ${JSON.stringify(record.undoId)}`);
    await this.write(record);
  }

  async load(undoId: string): Promise<StoredUndoRecord | null> {
    // The id becomes a file name: anything but the id format is simply not found.
    if (!UNDO_ID_PATTERN.test(undoId)) return null;
    try {
      return JSON.parse(await readFile(this.path(undoId), 'utf8')) as StoredUndoRecord;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async markUndone(undoId: string, at: string): Promise<void> {
    const r = await this.load(undoId);
    if (!r) throw new Error(`no undo record ${undoId}`);
    await this.write({ ...r, undoneAt: at });
  }

  async list(host: string): Promise<StoredUndoRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const out: StoredUndoRecord[] = [];
    for (const n of names) {
      const id = n.replace(/\.json$/, '');
      if (!n.endsWith('.json') || !UNDO_ID_PATTERN.test(id)) continue;
      const r = await this.load(id);
      if (r && isFor(r, host)) out.push(r);
    }
    return out.sort(byNewest);
  }
}

/** In memory, for tests and single-process use. */
export class MemoryUndoStore implements UndoStore {
  private readonly records = new Map<string, StoredUndoRecord>();

  async save(record: StoredUndoRecord): Promise<void> {
    this.records.set(record.undoId, structuredClone(record));
  }

  async load(undoId: string): Promise<StoredUndoRecord | null> {
    const r = this.records.get(undoId);
    return r ? structuredClone(r) : null;
  }

  async markUndone(undoId: string, at: string): Promise<void> {
    const r = this.records.get(undoId);
    if (!r) throw new Error(`no undo record ${undoId}`);
    this.records.set(undoId, { ...r, undoneAt: at });
  }

  async list(host: string): Promise<StoredUndoRecord[]> {
    return [...this.records.values()].filter((r) => isFor(r, host)).map((r) => structuredClone(r)).sort(byNewest);
  }
}
