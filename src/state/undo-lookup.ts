// The undo record an `undo HOST UNDO_ID` means, or why there is none to undo, in words for the
// person who asked. The bot asks before it opens a conversation (an unknown id is a refusal, not a
// "planning" message that never ends); the worker asks again when it plans (the record may be gone).
import type { StoredUndoRecord } from '../rdp/undo-store.ts';
import { lastRequestOutcome } from './audit/recent.ts';
import type { SharedState } from './shared-state.ts';

type UndoState = Pick<SharedState, 'undo' | 'audit'>;

/** Why `undoId` names no undo record of `host` (with the host's recent ids), or the record. */
export async function findUndoRecord(state: UndoState, host: string, undoId: string): Promise<StoredUndoRecord | { missing: string }> {
  const record = await state.undo.load(undoId);
  const owner = record?.targetId ?? record?.host;
  if (record && (owner === undefined || owner.toLowerCase() === host.toLowerCase())) return record;
  const recent = (await state.undo.list(host)).slice(0, 5).map((r) => `${r.undoId} (${r.fixId}, ${r.createdAt}${r.undoneAt ? ', undone' : ''})`);
  return { missing: `no undo record "${undoId}" for ${host}; recent undo ids for ${host}: ${recent.join(', ') || 'none'}` };
}

/** The record to undo, or why there is nothing to undo (no such record, or undone already). */
export async function undoRecordOrWhy(state: UndoState, host: string, undoId: string): Promise<StoredUndoRecord | string> {
  const record = await findUndoRecord(state, host, undoId);
  if ('missing' in record) return record.missing;
  if (record.undoneAt) return `${(await lastRequestOutcome(state.audit, host, { undoId })) ?? `${undoId} was already undone at ${record.undoneAt}.`} Nothing changed.`;
  return record;
}
