// task.scheduleRevert and task.cancel: a one-shot task (\rdp-medic\<name>, as S-1-5-18) that runs a
// small revert script when due: each registry value of `restore` that still holds what the fix
// wrote is put back, so a time-boxed downgrade reverts itself even if the bot loses contact (§6).
// Registering an existing name replaces it (Register-ScheduledTask -Force). The lab runs due tasks
// through runDueTasks (tasks.ts).
import { ok, type OpContext, type OpOf, type OpOutcome } from './types.ts';

export function scheduleRevert({ model, now }: OpContext, op: OpOf<'task.scheduleRevert'>): OpOutcome {
  const key = op.name.toLowerCase();
  const existed = key in model.tasks;
  const dueAt = new Date(now.getTime() + op.afterMinutes * 60_000).toISOString();
  model.tasks[key] = { name: op.name, createdAt: now.toISOString(), dueAt, restore: structuredClone(op.restore) };
  return ok({ existed: true }, { existed });
}

export function cancelTask({ model }: OpContext, op: OpOf<'task.cancel'>): OpOutcome {
  const key = op.name.toLowerCase();
  const existed = key in model.tasks;
  delete model.tasks[key];
  return ok({ existed: false }, { existed });
}
