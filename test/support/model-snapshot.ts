// The host model as "the same host" is judged before and after fix + undo. Excluded, and why:
// - the event log: it only grows (Windows does not un-log events);
// - empty certificate stores: cert.move creates the RdpMedicBackup store and no operation deletes a store.
// Everything else (registry, services, certificates, firewall, groups, ACLs, tasks) must be equal.
import assert from 'node:assert/strict';
import type { HostModel } from '../../src/lab/model/index.ts';
import { UNDO_RELOCK_PREFIX } from '../../src/rdp/fixes/undo-plan.ts';

export function comparableSnapshot(m: HostModel): unknown {
  const c = structuredClone(m) as Partial<HostModel>;
  delete c.events;
  c.certStores = Object.fromEntries(Object.entries(m.certStores).filter(([, s]) => s.certs.length > 0).map(([k, s]) => [k, structuredClone(s)]));
  return c;
}

/**
 * After undo: the host is `before` again, but for the time box a weakening undo leaves (its relock
 * task), which must be there exactly when an undo said it weakened something.
 */
export function assertUndoneExactly(m: HostModel, before: unknown, undoMessages: readonly string[], what = 'undo'): void {
  const after = comparableSnapshot(m) as { tasks: Record<string, unknown> };
  const relocks = Object.keys(after.tasks).filter((k) => k.startsWith(UNDO_RELOCK_PREFIX));
  const weakened = undoMessages.some((msg) => /The weaker setting lasts until/.test(msg));
  assert.equal(relocks.length > 0, weakened, `${what}: a relock task is left exactly when the undo weakened something: ${relocks.join(', ') || 'none'}`);
  for (const k of relocks) delete after.tasks[k];
  assert.deepEqual(after, before, `${what}: undo puts the host back exactly`);
}
