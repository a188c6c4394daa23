// Runs scheduled revert tasks that are due: each runs once (removed first, like a one-shot task
// that deletes itself), as the dedicated revert script does on a host: for each registry value of
// `restore`, if it still holds what the change wrote (its kind and data, or absent when the change
// deleted it), `previous` is put back (set, or deleted when it did not exist); a value someone
// changed since is left alone.
import type { OpError, RegistryRestore } from '../../host/operations.ts';
import type { HostModel } from './host-model.ts';
import { regDelete, regSet } from './ops/registry-ops.ts';

export interface RestoreOutcome {
  path: string;
  name: string;
  /** True when the value was put back; false when it no longer held what the fix wrote (or failed). */
  restored: boolean;
  error?: OpError;
}

export interface TaskRun {
  name: string;
  dueAt: string;
  restored: RestoreOutcome[];
}

/** One entry of a revert task: compare-and-set against what the fix wrote. */
export function restoreValue(model: HostModel, r: RegistryRestore, now: Date): RestoreOutcome {
  const expect = r.wrote ? { exists: true, kind: r.wrote.kind, data: r.wrote.data } : { exists: false, kind: null, data: null };
  const ctx = { model, now };
  const out = r.previous.exists && r.previous.kind !== null && r.previous.data !== null
    ? regSet(ctx, { id: 'revert', op: 'reg.set', path: r.path, name: r.name, kind: r.previous.kind, data: r.previous.data, expect })
    : regDelete(ctx, { id: 'revert', op: 'reg.delete', path: r.path, name: r.name, expect });
  return out.ok ? { path: r.path, name: r.name, restored: true } : { path: r.path, name: r.name, restored: false, error: out.error };
}

export function runDueTasks(model: HostModel, now: Date = new Date()): TaskRun[] {
  const due = Object.entries(model.tasks)
    .filter(([, t]) => Date.parse(t.dueAt) <= now.getTime())
    .sort(([, a], [, b]) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  const runs: TaskRun[] = [];
  for (const [key, task] of due) {
    delete model.tasks[key];
    runs.push({ name: task.name, dueAt: task.dueAt, restored: task.restore.map((r) => restoreValue(model, r, now)) });
  }
  return runs;
}
