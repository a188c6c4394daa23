// The evidence job: a fresh diagnosis of the host with the facts and probes it rests on, as a JSON
// file (rdp/evidence.ts, secrets scrubbed, within a chat file's size) posted in the conversation
// that asked: a reply in the clicked diagnosis thread, or the root of a typed request.
import { evidenceFileCard } from '../cards/evidence-export.ts';
import { error } from '../cards/index.ts';
import { MAX_FILE_BYTES } from '../chat/model.ts';
import { errorText } from '../lib/error-text.ts';
import { packageVersion } from '../lib/version.ts';
import { evidenceJson } from '../rdp/evidence.ts';
import type { FixJob } from '../state/schemas.ts';
import type { WorkerDeps } from './deps.ts';

export async function exportEvidence(deps: WorkerDeps, job: Extract<FixJob, { kind: 'evidence' }>, jobId: string): Promise<string> {
  const conv = await deps.state.conversations.get(job.conversationId);
  if (!conv) return 'conversation gone';
  const post = (card: Parameters<typeof deps.outbox.root>[1]): Promise<void> =>
    job.post === 'root' ? deps.outbox.root(conv, card) : deps.outbox.reply(conv, `evidence.${jobId}`, card);
  let x;
  try {
    x = await deps.pool.use(job.host, (h) => h.examine());
  } catch (e) {
    await post(error(`Could not collect the evidence of ${job.host}: ${errorText(e)}`, { title: `Evidence of ${job.host}: failed` }));
    return 'failed';
  }
  const json = evidenceJson(x, { version: packageVersion(), maxBytes: MAX_FILE_BYTES });
  await deps.state.audit.append({ kind: 'result', host: job.host, actor: deps.name, data: { evidence: { bytes: Buffer.byteLength(json, 'utf8'), verdict: x.diagnosis.verdict }, requester: job.requester } });
  await post(evidenceFileCard(x.diagnosis, json, x.input.now, job.requester));
  return x.diagnosis.verdict;
}
