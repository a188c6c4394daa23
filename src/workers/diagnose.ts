// The diagnose job: probes + one WinRM command for one host, then the answer to everyone waiting
// for it: each conversation gets the verdict on its root and the details in its thread; each fleet
// check records the host and updates its summary (throttled, the final one always).
import type { Job } from 'bullmq';
import { diagnosisDetails, diagnosisRoot, error, fleetSummary } from '../cards/index.ts';
import { withEvidenceButton } from '../cards/evidence-export.ts';
import type { Waiter } from '../state/diagnosis-join.ts';
import { DiagnoseJob } from '../state/schemas.ts';
import { diagnosisJson } from '../rdp/format.ts';
import type { Diagnosis } from '../rdp/types.ts';
import { errorText } from '../lib/error-text.ts';
import type { WorkerDeps } from './deps.ts';

type Answer = { diagnosis: Diagnosis } | { failure: string };

export function diagnoseProcessor(deps: WorkerDeps) {
  return async (job: Job): Promise<string> => {
    const { host, runId } = DiagnoseJob.parse(job.data);
    const answer = await diagnoseOnce(deps, host, job);
    if ('diagnosis' in answer) {
      await deps.state.diagnoses.saveLast(host, answer.diagnosis);
      await deps.state.audit.append({ kind: 'result', host, actor: deps.name, data: { diagnosis: diagnosisJson(answer.diagnosis), runId } });
    }
    await deps.state.join.finish(host, runId, (waiters) => answerAll(deps, host, runId, answer, waiters));
    return 'diagnosis' in answer ? answer.diagnosis.verdict : 'failed';
  };
}

/** A diagnosis; on the last attempt a failure is an answer too (the conversation must hear). */
async function diagnoseOnce(deps: WorkerDeps, host: string, job: Job): Promise<Answer> {
  try {
    return { diagnosis: await deps.pool.use(host, (h) => h.diagnose()) };
  } catch (e) {
    const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    deps.logger.warn({ host, attempt: job.attemptsMade + 1, err: errorText(e) }, 'diagnosis failed');
    if (!last) throw e;
    return { failure: `The diagnosis of ${host} failed: ${errorText(e)}` };
  }
}

async function answerAll(deps: WorkerDeps, host: string, runId: string, answer: Answer, waiters: Waiter[]): Promise<void> {
  for (const w of waiters) {
    if (w.kind === 'conversation') await answerConversation(deps, w.conversationId, runId, answer);
    else await answerFleet(deps, w.conversationId, host, answer);
  }
}

async function answerConversation(deps: WorkerDeps, conversationId: string, runId: string, answer: Answer): Promise<void> {
  const conv = await deps.state.conversations.get(conversationId);
  if (!conv) return;
  if ('failure' in answer) {
    await deps.outbox.send(conv, `diag.${runId}`, [{ op: 'update', of: 'root', version: 1, card: error(answer.failure, { title: `${conv.subject}: diagnosis failed` }) }]);
    return;
  }
  const d = answer.diagnosis;
  await deps.outbox.send(conv, `diag.${runId}`, [
    { op: 'update', of: 'root', version: 1, card: withEvidenceButton(diagnosisRoot(d, conv.requester), d) },
    ...diagnosisDetails(d).map((card, i) => ({ op: 'reply' as const, key: `diag.${i}`, card })),
  ]);
}

async function answerFleet(deps: WorkerDeps, conversationId: string, host: string, answer: Answer): Promise<void> {
  const conv = await deps.state.conversations.get(conversationId);
  if (!conv) return;
  const d: Diagnosis =
    'diagnosis' in answer ? answer.diagnosis : { host, verdict: 'unknown', headline: answer.failure, findings: [], timingsMs: { probes: 0, plan: 0, total: 0 }, winrmCommands: 0 };
  const { done, total } = await deps.state.diagnoses.recordFleetResult(conversationId, d, host);
  const final = done >= total;
  if (!final && !(await deps.state.diagnoses.summaryTick(conversationId, deps.config.bot.summaryIntervalMs))) return;
  const results = await deps.state.diagnoses.fleetResults(conversationId);
  const card = fleetSummary(results, total, results.length, { requestId: conversationId, selector: conv.subject });
  await deps.outbox.update(conv, 'root', results.length, card);
}
