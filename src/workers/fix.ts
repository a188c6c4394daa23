// The fix job, in three kinds (and the evidence export, host work a person asked for: workers/evidence.ts). plan: fresh facts -> compare-and-set plan -> an approval record and
// its card. plan-undo: the same for putting back what a fix changed (an undo is a fix, with the
// risk class of what it writes). apply: approved -> running exactly once (the approval's one-way
// states), host lock, apply (or undo), verify, result.
// A job killed mid-apply is retried by BullMQ; it finds its approval `running` under its own id and
// settles the fix from its step journal (ADR 0009): finished when the rest of the approved plan still
// fits the host, else put back; a host that does not answer is retried, its journal kept.
import { DelayedError, type Job } from 'bullmq';
import type { ApprovalRecord } from '../state/approvals/record.ts';
import { askApproval, showApproval } from '../cards/approval-show.ts';
import { error, fixResult, refused, rootAfterChange, undoResult, type RootChange } from '../cards/index.ts';
import { fixTitle } from '../cards/fix-result.ts';
import { busyMessage } from '../state/fix-lock.ts';
import { lastRequestOutcome } from '../state/audit/recent.ts';
import { FixJob } from '../state/schemas.ts';
import { diagnosisJson } from '../rdp/format.ts';
import { applyFix, planFix, resumeFix, undoFix, type HostDeps, type UndoOutcome } from '../rdp/repair.ts';
import { JOURNAL_VERSION } from '../rdp/repair-journal.ts';
import { checkTarget } from '../rdp/target.ts';
import { findHost } from '../config/load.ts';
import type { Diagnosis, FixOutcome, FixPlan } from '../rdp/types.ts';
import type { ConversationRecord } from '../state/conversations.ts';
import { undoRecordOrWhy } from '../state/undo-lookup.ts';
import { errorText } from '../lib/error-text.ts';
import type { WorkerDeps } from './deps.ts';
import { undoPlan } from '../rdp/fixes/undo-plan.ts';
import { exportEvidence } from './evidence.ts';
import { withEvidenceButton } from '../cards/evidence-export.ts';

/** How long an approved fix waits for another fix on the same host before giving up. */
const LOCK_WAIT_MS = 10 * 60_000;
const LOCK_RETRY_MS = 2_000;
/** A half-applied fix whose host does not answer: retried (2 s, doubling to 1 min) for this long, then left to a person. */
const UNREACHABLE_RETRY_MS = 10 * 60_000;
const unreachableDelayMs = (tries: number): number => Math.min(2_000 * 2 ** tries, 60_000);

/** Thrown to end a processor run with its job moved to delayed (BullMQ's DelayedError), the host lock kept. */
class RetryLater extends DelayedError {}

export function fixProcessor(deps: WorkerDeps) {
  return async (job: Job, token?: string): Promise<string> => {
    const data = FixJob.parse(job.data);
    if (data.kind === 'plan') return planAndAsk(deps, data);
    if (data.kind === 'apply') return applyApproved(deps, data.approvalId, job, token);
    if (data.kind === 'evidence') return exportEvidence(deps, data, job.id ?? String(Date.now()));
    return planUndoAndAsk(deps, data);
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
    // A repeated Fix on a host fixed meanwhile says by whom and when (from the audit trail).
    const before = await lastRequestOutcome(deps.state.audit, job.host, { fixId: job.fixId });
    await deps.outbox.reply(conv, key, refused(`${job.fixId} does not apply to ${job.host}: ${plan.notApplicable}. Nothing will change.${before ? ` ${before}` : ''}`, { title: `Not applicable: ${job.fixId}` }));
    return 'not applicable';
  }
  return askFor(deps, job, conv, plan);
}

/** The approval record, its plan beside it, the audit entry and the request card. */
async function askFor(deps: WorkerDeps, job: { host: ApprovalRecord['host']; requester: ApprovalRecord['requester']; undoId?: string }, conv: ConversationRecord, plan: FixPlan): Promise<string> {
  const record = await deps.state.approvals.create({
    host: job.host,
    fixId: plan.fixId,
    ...(job.undoId ? { undoId: job.undoId } : {}),
    planHash: plan.hash,
    risk: plan.risk,
    requester: job.requester,
    conversation: conv.ref,
    conversationId: conv.id,
  });
  await deps.state.plans.save(record.id, plan);
  await deps.state.audit.append({ kind: 'plan', host: job.host, actor: deps.name, data: { hash: plan.hash, plan, approvalId: record.id, requester: job.requester, ...(job.undoId ? { undoId: job.undoId } : {}) } });
  await askApproval(deps, conv, record, plan);
  return `approval ${record.id}`;
}

async function planUndoAndAsk(deps: WorkerDeps, job: Extract<FixJob, { kind: 'plan-undo' }>): Promise<string> {
  const conv = await deps.state.conversations.get(job.conversationId);
  if (!conv) return 'conversation gone';
  const record = await undoRecordOrWhy(deps.state, job.host, job.undoId);
  if (typeof record === 'string') {
    await deps.outbox.reply(conv, `undo.${job.undoId}`, refused(record, { title: `Not undone: ${job.undoId}` }));
    return 'nothing to undo';
  }
  return askFor(deps, job, conv, undoPlan(record, job.host));
}

async function applyApproved(deps: WorkerDeps, approvalId: string, job: Job, token?: string): Promise<string> {
  const { approvals, locks } = deps.state;
  const record = await approvals.get(approvalId);
  if (!record) return 'approval gone';
  const runner = `job:${job.id ?? approvalId}`;
  const lock = await locks.acquire(record.host, { owner: runner, by: record.requester, what: record.fixId });
  if (!lock.ok) return waitForLock(deps, record, busyMessage(record.host, lock.holder), job, token);
  let keepLock = false;
  try {
    const started = await approvals.start(approvalId, runner);
    if (!started.ok) return await resumeOrSkip(deps, record, started.record, runner, job, token);
    await showApproval(deps, started.record);
    if (started.record.undoId) {
      const undone = await runUndo(deps, started.record, started.record.undoId);
      await finishUndo(deps, started.record, undone);
      return undone.restored ? 'restored' : 'not restored';
    }
    const outcome = await runFix(deps, started.record);
    if (outcome.end === 'unreachable') return await retryUnreachable(deps, started.record, outcome, job, token);
    await finish(deps, started.record, outcome);
    return outcome.applied ? 'applied' : 'not applied';
  } catch (e) {
    // Half-applied on a host that does not answer: the lock stays ours until the retry settles it.
    if (e instanceof RetryLater) keepLock = true;
    throw e;
  } finally {
    if (!keepLock) await locks.release(record.host, runner);
  }
}

/** Another fix holds the host: wait (delayed job) up to LOCK_WAIT_MS, saying so once. */
async function waitForLock(deps: WorkerDeps, record: ApprovalRecord, busy: string, job: Job, token?: string): Promise<string> {
  const conv = record.conversationId ? await deps.state.conversations.get(record.conversationId) : null;
  const waited = Date.now() - (record.decidedAt ? Date.parse(record.decidedAt) : Date.now());
  if (waited > LOCK_WAIT_MS) {
    await deps.state.approvals.start(record.id, `job:${job.id}`);
    await finishNotRun(deps, { ...record, state: 'running' }, notRun(record, `${busy} Waited ${Math.round(waited / 60_000)} min; not applied. Request it again.`));
    return 'gave up waiting';
  }
  if (conv) await deps.outbox.reply(conv, `busy.${record.id}`, refused(`${busy} This fix waits and runs after it.`, { title: `Waiting: ${record.host} is busy` }));
  await job.moveToDelayed(Date.now() + LOCK_RETRY_MS, token);
  throw new DelayedError();
}

const notRun = (record: ApprovalRecord, message: string): FixOutcome => ({ host: record.host, fix: record.fixId, applied: false, verified: false, undoId: null, steps: [], message, after: null });

/**
 * start() refused. Running under our own id: a previous attempt of this job stopped after it began
 * (the worker died, or the host stopped answering). A fix is settled from its step journal; with no
 * journal no step had started, so it is not applied again and the host's state is reported. An undo
 * is not run again. Anything else: done already.
 */
async function resumeOrSkip(deps: WorkerDeps, original: ApprovalRecord, current: ApprovalRecord | null, runner: string, job: Job, token?: string): Promise<string> {
  if (!current || current.state !== 'running' || current.runner !== runner) return `skipped (${current?.state ?? 'gone'})`;
  if (!current.undoId) {
    let outcome: FixOutcome | null;
    try {
      outcome = await resumeFix({ ...hostDeps(deps, current.host), journal: deps.state.journal.of(current.id) });
    } catch (e) {
      outcome = notRun(original, `${current.fixId} on ${current.host}: the worker running it stopped mid-way, and its step journal could not be settled (${errorText(e)}). Nothing more was changed; run check ${current.host} to see its state.`);
    }
    if (outcome?.end === 'unreachable') return retryUnreachable(deps, current, outcome, job, token);
    if (outcome) {
      await finish(deps, current, outcome);
      return `interrupted; settled: ${outcome.end ?? 'not applied'}`;
    }
  }
  const after = await deps.pool.use(current.host, (h) => h.diagnose()).catch(() => null);
  const message =
    `${current.fixId} on ${current.host}: the worker running it stopped after it began applying, so it was not applied again. ` +
    (current.undoId ? '' : 'No step had started (its step journal is empty), so nothing was changed. ') +
    (after ? `The host now: ${after.headline}` : 'The host could not be read; run check to see its state.');
  await finishNotRun(deps, current, { ...notRun(original, message), after, verified: after?.verdict === 'ok' });
  return 'interrupted; re-verified';
}

/**
 * The host does not answer and the fix may be half-applied: nothing is claimed, the journal stays.
 * Said once in the thread; the job is retried (the lock kept) until UNREACHABLE_RETRY_MS, then the
 * approval ends with what is known, the undo record saved from the journal.
 */
async function retryUnreachable(deps: WorkerDeps, record: ApprovalRecord, outcome: FixOutcome, job: Job, token?: string): Promise<string> {
  const journal = deps.state.journal.of(record.id);
  const snapshot = await journal.read().catch(() => null);
  const since = snapshot?.phase.unreachable?.since ?? new Date().toISOString();
  const tries = snapshot?.phase.unreachable?.tries ?? 0;
  const waited = Date.now() - Date.parse(since);
  if (!snapshot || waited > UNREACHABLE_RETRY_MS) {
    const minutes = Math.round(waited / 60_000);
    const undo = outcome.undoId ? ` When it answers, put back what ran with: rdp-medic undo ${record.host} ${outcome.undoId} --yes, or check it and fix it again.` : ` When it answers, check it.`;
    await finish(deps, record, { ...outcome, message: `${outcome.message} Retried for ${minutes} min; stopped retrying.${undo}` });
    return 'unreachable; gave up';
  }
  const delay = unreachableDelayMs(tries);
  await journal.write({ phase: { ...snapshot.phase, version: JOURNAL_VERSION, unreachable: { since, tries: tries + 1 } } });
  const conv = record.conversationId ? await deps.state.conversations.get(record.conversationId) : null;
  const until = new Date(Date.parse(since) + UNREACHABLE_RETRY_MS).toISOString().replace(/\.\d+Z$/, 'Z');
  if (conv) {
    await deps.outbox.reply(conv, `unreachable.${record.id}`, refused(`${outcome.message} Its step journal is kept: retrying until ${until}, then it says what is known and offers undo.`, { title: `${record.host}: ${record.fixId} half-way, host not answering` }));
  }
  await job.moveToDelayed(Date.now() + delay, token);
  throw new RetryLater();
}

/** Host operations that connect through the pool on each call, so a host that cannot be reached is an answer, not a crash. */
function hostDeps(deps: WorkerDeps, host: string): HostDeps & { diagnose: () => Promise<Diagnosis> } {
  return {
    target: checkTarget(findHost(deps.config, host)),
    runPlan: (plan) => deps.pool.use(host, (h) => h.runPlan(plan)),
    readFacts: () => deps.pool.use(host, (h) => h.readFacts()),
    diagnose: () => deps.pool.use(host, (h) => h.diagnose()),
    undoStore: deps.state.undo,
  };
}

async function runFix(deps: WorkerDeps, record: ApprovalRecord): Promise<FixOutcome> {
  try {
    const approved = await deps.state.plans.get(record.id);
    const plannedAt = approved?.plannedAt ? new Date(approved.plannedAt) : undefined;
    return await deps.pool.use(record.host, (h) =>
      applyFix({
        target: h.target, runPlan: h.runPlan, readFacts: h.readFacts, diagnose: h.diagnose, undoStore: deps.state.undo,
        fixId: record.fixId, expectHash: record.planHash, journal: deps.state.journal.of(record.id), ...(plannedAt ? { plannedAt } : {}),
      }),
    );
  } catch (e) {
    // Steps journaled: it stopped mid-way, so nothing is claimed; the job's retry settles it from the journal.
    if (await deps.state.journal.of(record.id).read().catch(() => 'unreadable')) throw e;
    return notRun(record, `${record.fixId} on ${record.host} failed before it could apply: ${errorText(e)}`);
  }
}

/** Ends an approval that did not run (or ran and was interrupted), fix or undo alike. */
async function finishNotRun(deps: WorkerDeps, record: ApprovalRecord, outcome: FixOutcome): Promise<void> {
  if (!record.undoId) return finish(deps, record, outcome);
  await finishUndo(deps, record, { host: record.host, undoId: record.undoId, restored: false, verified: outcome.verified, steps: [], message: outcome.message, after: outcome.after });
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
  if (done.record) await showApproval(deps, done.record);
  const conv = record.conversationId ? await deps.state.conversations.get(record.conversationId) : null;
  if (!conv) return;
  const undoRecord = outcome.undoId ? await deps.state.undo.load(outcome.undoId) : null;
  await deps.outbox.reply(conv, `result.${record.id}`, fixResult(outcome, undoRecord ?? undefined));
  if (ok && outcome.after) await updateRoot(deps, conv, done.record ?? record, outcome.after, 'fixed');
}

/**
 * The check's root message shows the host as it is after a verified change, so the channel does not
 * keep reading the old red verdict. Only a conversation about this one host: a fleet's root is its
 * summary. The version is the approval's finish time: a later change (an undo) wins over an earlier.
 */
async function updateRoot(deps: WorkerDeps, conv: ConversationRecord, record: ApprovalRecord, after: Diagnosis, kind: RootChange['kind']): Promise<void> {
  if (conv.kind === 'fleet' || conv.kind === 'info' || (conv.subject && conv.subject !== record.host)) return;
  const at = record.finishedAt ?? new Date().toISOString();
  const change: RootChange = { kind, title: fixTitle(record.fixId), requestedBy: record.requester, at, ...(record.decidedBy ? { approvedBy: record.decidedBy } : {}) };
  await deps.outbox.update(conv, 'root', Date.parse(at), withEvidenceButton(rootAfterChange(after, conv.requester, change), after));
}

/** Runs an approved undo: the same undo record, plan hash unchanged, compare-and-set on the host. */
async function runUndo(deps: WorkerDeps, approval: ApprovalRecord, undoId: string): Promise<UndoOutcome> {
  const notUndone = (message: string): UndoOutcome => ({ host: approval.host, undoId, restored: false, verified: false, steps: [], message });
  const record = await undoRecordOrWhy(deps.state, approval.host, undoId);
  if (typeof record === 'string') return notUndone(`Undo ${undoId} on ${approval.host}: ${record}`);
  if (undoPlan(record, approval.host).hash !== approval.planHash) return notUndone(`Undo ${undoId} on ${approval.host}: the undo record changed since it was approved; nothing was changed.`);
  try {
    return await deps.pool.use(approval.host, (h) => undoFix({ target: h.target, runPlan: h.runPlan, readFacts: h.readFacts, diagnose: h.diagnose, undoStore: deps.state.undo, undoId }));
  } catch (e) {
    return notUndone(`Undo ${undoId} on ${approval.host} failed: ${errorText(e)}`);
  }
}

async function finishUndo(deps: WorkerDeps, approval: ApprovalRecord, outcome: UndoOutcome): Promise<void> {
  const done = await deps.state.approvals.finish(approval.id, outcome.restored ? 'done' : 'failed', { ok: outcome.restored && outcome.verified, message: outcome.message.slice(0, 4000), undoId: null });
  if (outcome.after) await deps.state.diagnoses.saveLast(approval.host, outcome.after);
  await deps.state.audit.append({
    kind: 'result',
    host: approval.host,
    actor: deps.name,
    data: { approvalId: approval.id, undoId: outcome.undoId, restored: outcome.restored, verified: outcome.verified, message: outcome.message, requester: approval.requester },
  });
  if (done.record) await showApproval(deps, done.record);
  const conv = approval.conversationId ? await deps.state.conversations.get(approval.conversationId) : null;
  if (!conv) return;
  await deps.outbox.reply(conv, `undo.${outcome.undoId}`, undoResult(outcome));
  if (outcome.restored && outcome.verified && outcome.after) await updateRoot(deps, conv, done.record ?? approval, outcome.after, 'undone');
}
