// Runs scheduled revert tasks that are due: each runs once (removed first, like a one-shot task
// that deletes itself), as a write plan against the model.
import type { PlanResult } from '../../host/operations.ts';
import { executePlan } from './execute-plan.ts';
import type { HostModel } from './host-model.ts';

export interface TaskRun {
  name: string;
  dueAt: string;
  result: PlanResult;
}

export function runDueTasks(model: HostModel, now: Date = new Date()): TaskRun[] {
  const due = Object.entries(model.tasks)
    .filter(([, t]) => Date.parse(t.dueAt) <= now.getTime())
    .sort(([, a], [, b]) => Date.parse(a.dueAt) - Date.parse(b.dueAt));
  const runs: TaskRun[] = [];
  for (const [key, task] of due) {
    delete model.tasks[key];
    runs.push({ name: task.name, dueAt: task.dueAt, result: executePlan(model, { ...task.plan, mode: 'write' }, now) });
  }
  return runs;
}
