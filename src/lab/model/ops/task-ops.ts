// task.scheduleRevert and task.cancel: a one-shot task (\rdp-medic\<name>) that runs a write plan
// as SYSTEM when due, so a time-boxed downgrade reverts itself even if the bot loses contact (§6).
// Registering an existing name replaces it (Register-ScheduledTask -Force). The lab runs due tasks
// through runDueTasks (tasks.ts).
import { WRITE_OPS } from '../../../host/operations.ts';
import { fail, ok, type OpContext, type OpOf, type OpOutcome } from './types.ts';

export function scheduleRevert({ model, now }: OpContext, op: OpOf<'task.scheduleRevert'>): OpOutcome {
  const reads = op.plan.ops.filter((o) => !WRITE_OPS.has(o.op));
  if (reads.length) return fail('InvalidArgument', `A revert task runs write ops only; found ${reads.map((o) => o.op).join(', ')}`);
  const key = op.name.toLowerCase();
  const existed = key in model.tasks;
  const dueAt = new Date(now.getTime() + op.afterMinutes * 60_000).toISOString();
  model.tasks[key] = { name: op.name, createdAt: now.toISOString(), dueAt, plan: structuredClone(op.plan) };
  return ok({ existed: true }, { existed });
}

export function cancelTask({ model }: OpContext, op: OpOf<'task.cancel'>): OpOutcome {
  const key = op.name.toLowerCase();
  const existed = key in model.tasks;
  delete model.tasks[key];
  return ok({ existed: false }, { existed });
}
