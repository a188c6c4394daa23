// The fix job, in three kinds. plan: fresh facts -> compare-and-set plan -> an approval record and
// its card. apply: approved -> running exactly once (the approval's one-way states), host lock,
// apply, verify from outside, result with Undo. undo: put back what a fix changed.
// A job killed mid-apply is retried by BullMQ; it finds its approval `running` under its own id
// and re-verifies instead of applying twice.
import { DelayedError, type Job } from 'bullmq';
import { approvalView } from '../bot/approvals/view.ts';
import type { ApprovalRecord } from '../bot/approvals/record.ts';
import { approvalDecided, approvalRequest, error, fixResult, refused, undoResult } from '../bot/cards/index.ts';
import { busyMessage } from '../jobs/fix-lock.ts';
import { FixJob } from '../jobs/schemas.ts';
import { diagnosisJson } from '../rdp/format.ts';
import { applyFix, planFix, undoFix } from '../rdp/repair.ts';
import type { FixOutcome } from '../rdp/types.ts';
import { errorText, type WorkerDeps } from './deps.ts';

/** How long an approved fix waits for another fix on the same host before giving up. */
const LOCK_WAIT_MS = 10 * 60_000;
const LOCK_RETRY_MS = 2_000;

export function fixProcessor(deps: WorkerDeps) {
  return async (job: Job, token?: string): Promise<string> => {
    const data = FixJob.parse(job.data);
    if (data.kind === 'plan') return planAndAsk(deps, data);
    if (data.kind === 'apply') return applyApproved(deps, data.approvalId, job, token);
    return undoRecorded(deps, data, job, token);
  };
}

async function planAndAsk(deps: WorkerDeps, job: Extract<FixJob, { kind: 'plan' }>): Promise<string> {
  const conv = await deps.state.conversations.get(job.conversationId);
  if (!conv) return 'conversation gone';
  const key = `plan.${job.host}.${job.fixId}`;
  let plan;
  try {
    plan = await deps.pool.use(job.host, (h) => planFix({ target: h.target, readFacts: h.readFacts, fixId: job.fixId }));
  } catch (e) {
    await deps.outbox.reply(conv, key, error(`Could not build the plan for ${job.fixId} on ${job.host}: ${errorText(e)}`));
    return 'plan failed';
  }
  if ('notApplicable' in plan) {
    await deps.outbox.reply(conv, key, refused(`${job.fixId} does not apply to ${job.host}: ${plan.notApplicable}. Nothing will change.`, { title: `Not applicable: ${job.fixId}` }));
    return 'not applicable';
  }
  const record = await deps.state.approvals.create({
    host: job.host,
    fixId: job.fixId,
    planHash: plan.hash,
    risk: plan.risk,
    requester: job.requester,
    conversation: conv.ref,
    conversationId: conv.id,
  });
  await deps.state.plans.save(record.id, plan);
  await deps.state.audit.append({ kind: 'plan', host: job.host, actor: deps.name, data: { hash: plan.hash, plan, approvalId: record.id, requester: job.requester } });
  const card = { ...approvalRequest(approvalView(record, plan)), notify: 'oncall' as const };
  await deps.outbox.reply(conv, `approval.${record.id}`, card);
  return `approval ${record.id}`;
}

async function applyApproved(deps: WorkerDeps, approvalId: string, job: Job, token?: string): Promise<string> {
  const { approvals, locks } = deps.state;
  const record = await approvals.get(approvalId);
  if (!record) return 'approval gone';
  const runner = `job:${job.id ?? approvalId}`;
  const lock = await locks.acquire(record.host, { owner: runner, by: record.requester, what: record.fixId });
  if (!lock.ok) return waitForLock(deps, record, busyMessage(record.host, lock.holder), job, token);
  try {
    const started = await approvals.start(approvalId, runner);
    if (!started.ok) return resumeOrSkip(deps, record, started.record, runner);
    await showState(deps, started.record);
    const outcome = await runFix(deps, started.record);
    await finish(deps, started.record, outcome);
    return outcome.applied ? 'applied' : 'not applied';
  } finally {
    await locks.release(record.host, runner);
  }
}

/** Another fix holds the host: wait (delayed job) up to LOCK_WAIT_MS, saying so once. */
async function waitForLock(deps: WorkerDeps, record: ApprovalRecord, busy: string, job: Job, token?: string): Promise<string> {
  const conv = record.conversationId ? await deps.state.conversations.get(record.conversationId) : null;
  const waited = Date.now() - (record.decidedAt ? Date.parse(record.decidedAt) : Date.now());
  if (waited > LOCK_WAIT_MS) {
    await deps.state.approvals.start(record.id, `job:${job.id}`);
    const outcome = notRun(record, `${busy} Waited ${Math.round(waited / 60_000)} min; not applied. Request it again.`);
    await finish(deps, { ...record, state: 'running' }, outcome);
    return 'gave up waiting';
  }
  if (conv) await deps.outbox.reply(conv, `busy.${record.id}`, refused(`${busy} This fix waits and runs after it.`, { title: `Waiting: ${record.host} is busy` }));
  await job.moveToDelayed(Date.now() + LOCK_RETRY_MS, token);
  throw new DelayedError();
}

const notRun = (record: ApprovalRecord, message: string): FixOutcome => ({ host: record.host, fix: record.fixId, applied: false, verified: false, undoId: null, steps: [], message, after: null });

/**
 * start() refused. Running under our own id: a previous attempt of this job died after it began
 * applying, so we must not apply again; report the host's state now. Anything else: done already.
 */
async function resumeOrSkip(deps: WorkerDeps, original: ApprovalRecord, current: ApprovalRecord | null, runner: string): Promise<string> {
  if (!current || current.state !== 'running' || current.runner !== runner) return `skipped (${current?.state ?? 'gone'})`;
  const after = await deps.pool.use(current.host, (h) => h.diagnose()).catch(() => null);
  const message =
    `${current.fixId} on ${current.host}: the worker running it stopped after it began applying, so it was not applied again. ` +
    (after ? `The host now: ${after.headline}` : 'The host could not be read; run check to see its state.');
  await finish(deps, current, { ...notRun(original, message), after, verified: after?.verdict === 'ok' });
  return 'interrupted; re-verified';
}

async function runFix(deps: WorkerDeps, record: ApprovalRecord): Promise<FixOutcome> {
  try {
    return await deps.pool.use(record.host, (h) =>
      applyFix({ target: h.target, runPlan: h.runPlan, readFacts: h.readFacts, diagnose: h.diagnose, undoStore: deps.state.undo, fixId: record.fixId, expectHash: record.planHash }),
    );
  } catch (e) {
    return notRun(record, `${record.fixId} on ${record.host} failed before it could apply: ${errorText(e)}`);
  }
}

/** Shows the approval's current state on its card (buttons gone). */
async function showState(deps: WorkerDeps, record: ApprovalRecord): Promise<void> {
  const conv = record.conversationId ? await deps.state.conversations.get(record.conversationId) : null;
  if (!conv) return;
  const plan = await deps.state.plans.get(record.id);
  const state = record.state === 'done' || record.state === 'failed' || record.state === 'running' ? record.state : 'approved';
  const at = record.finishedAt ?? record.startedAt ?? record.decidedAt ?? new Date().toISOString();
  const version = { approved: 1, running: 2, done: 3, failed: 3 }[state];
  const by = record.decidedBy;
  await deps.outbox.update(conv, `approval.${record.id}`, version, approvalDecided(approvalView(record, plan), { state, at, ...(by ? { by } : {}) }));
}

async function finish(deps: WorkerDeps, record: ApprovalRecord, outcome: FixOutcome): Promise<void> {
  const ok = outcome.applied && outcome.verified;
  const done = await deps.state.approvals.finish(record.id, outcome.applied ? 'done' : 'failed', { ok, message: outcome.message.slice(0, 4000), undoId: outcome.undoId });
  await deps.state.audit.append({
    kind: 'result',
    host: record.host,
    actor: deps.name,
    data: { approvalId: record.id, fixId: record.fixId, applied: outcome.applied, undoId: outcome.undoId, steps: outcome.steps, message: outcome.message },
  });
  if (outcome.after) await deps.state.diagnoses.saveLast(record.host, outcome.after);
  await deps.state.audit.append({ kind: 'verification', host: record.host, actor: deps.name, data: { approvalId: record.id, verified: outcome.verified, after: outcome.after ? diagnosisJson(outcome.after) : null } });
  if (done.record) await showState(deps, done.record);
  const conv = record.conversationId ? await deps.state.conversations.get(record.conversationId) : null;
  if (!conv) return;
  const undoRecord = outcome.undoId ? await deps.state.undo.load(outcome.undoId) : null;
  await deps.outbox.reply(conv, `result.${record.id}`, fixResult(outcome, undoRecord ?? undefined));
}

async function undoRecorded(deps: WorkerDeps, job: Extract<FixJob, { kind: 'undo' }>, bull: Job, token?: string): Promise<string> {
  const conv = await deps.state.conversations.get(job.conversationId);
  const runner = `job:${bull.id ?? job.undoId}`;
  const lock = await deps.state.locks.acquire(job.host, { owner: runner, by: job.requester, what: `undo ${job.undoId}` });
  if (!lock.ok) {
    if (conv) await deps.outbox.reply(conv, `undo-busy.${job.undoId}`, refused(`${busyMessage(job.host, lock.holder)} The undo runs after it.`, { title: `Waiting: ${job.host} is busy` }));
    await bull.moveToDelayed(Date.now() + LOCK_RETRY_MS, token);
    throw new DelayedError();
  }
  try {
    const record = await deps.state.undo.load(job.undoId);
    if (record?.undoneAt) {
      if (conv) await deps.outbox.reply(conv, `undo.${job.undoId}`, refused(`${job.undoId} was already undone at ${record.undoneAt}; nothing changed.`, { title: 'Already undone' }));
      return 'already undone';
    }
    const outcome = await deps.pool.use(job.host, (h) => undoFix({ target: h.target, runPlan: h.runPlan, readFacts: h.readFacts, diagnose: h.diagnose, undoStore: deps.state.undo, undoId: job.undoId }));
    if (outcome.after) await deps.state.diagnoses.saveLast(job.host, outcome.after);
    await deps.state.audit.append({ kind: 'result', host: job.host, actor: deps.name, data: { undoId: job.undoId, restored: outcome.restored, verified: outcome.verified, message: outcome.message, requester: job.requester } });
    if (conv) await deps.outbox.reply(conv, `undo.${job.undoId}`, undoResult(outcome));
    return outcome.restored ? 'restored' : 'not restored';
  } catch (e) {
    if (conv) await deps.outbox.reply(conv, `undo.${job.undoId}`, error(`Undo ${job.undoId} on ${job.host} failed: ${errorText(e)}`));
    return 'failed';
  } finally {
    await deps.state.locks.release(job.host, runner);
  }
}
