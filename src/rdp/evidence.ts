// The evidence export: everything one diagnosis rests on, as one JSON document (for a ticket, a
// colleague, or Microsoft support): the facts the read plan returned (or why the host could not be
// read), the probes' results, every finding with its evidence and its Microsoft reference, the
// timings, and the versions that produced it. Secrets are scrubbed on the way out (lib/scrub.ts):
// secret-named keys dropped, token-looking text and the configuration's secret values masked.
import { PLAN_VERSION } from '../host/operations.ts';
import { RUNTIME_VERSION } from '../host/runtime.ts';
import { redact } from '../lib/scrub.ts';
import { CHECK_REFERENCES } from './checks/references.ts';
import type { Examination } from './diagnose.ts';

export const EVIDENCE_FORMAT = 'rdp-medic-evidence';
export const EVIDENCE_FORMAT_VERSION = 1;

export interface EvidenceOptions {
  /** The rdp-medic version that collected it (package.json). */
  version: string;
  /** Most bytes of the JSON text; beyond it the facts are left out (the findings and probes stay) and the document says so. */
  maxBytes?: number;
}

/** The export as a JSON-safe object (already scrubbed). */
export function evidenceReport(x: Examination, opts: EvidenceOptions): Record<string, unknown> {
  const { diagnosis: d, input } = x;
  const { target } = input;
  const hostRead = 'failure' in input.facts ? { read: false, failure: input.facts.failure } : { read: true, facts: input.facts };
  return redact({
    format: EVIDENCE_FORMAT,
    formatVersion: EVIDENCE_FORMAT_VERSION,
    host: d.host,
    collectedAt: input.now.toISOString(),
    versions: { rdpMedic: opts.version, runtime: RUNTIME_VERSION, plan: PLAN_VERSION, node: process.version },
    target: { id: target.id, address: target.address, rdpHost: target.rdpHost, rdpPort: target.rdpPort, winrmUrl: target.winrmUrl },
    verdict: d.verdict,
    headline: d.headline,
    timingsMs: { ...d.timingsMs, probesDetail: { rdp: input.probes.rdp.timingsMs } },
    winrmCommands: d.winrmCommands,
    findings: d.findings.map((f) => ({ ...f, references: CHECK_REFERENCES[f.check] })),
    probes: input.probes,
    hostRead,
  }) as Record<string, unknown>;
}

/**
 * The export as JSON text within `maxBytes` (when given): when the facts make it too big they are
 * replaced by a note saying how big they were and how to get them whole (`rdp-medic evidence HOST`).
 */
export function evidenceJson(x: Examination, opts: EvidenceOptions): string {
  const report = evidenceReport(x, opts);
  const text = JSON.stringify(report, null, 2);
  if (opts.maxBytes === undefined || Buffer.byteLength(text, 'utf8') <= opts.maxBytes) return text;
  const hostRead = report['hostRead'] as Record<string, unknown>;
  const note = `left out: the facts made this file ${Buffer.byteLength(text, 'utf8')} bytes, over the ${opts.maxBytes} a chat file may be; run \`rdp-medic evidence ${String(report['host'])}\` for all of them`;
  const slim = JSON.stringify({ ...report, hostRead: { ...hostRead, facts: note } }, null, 2);
  if (Buffer.byteLength(slim, 'utf8') <= opts.maxBytes) return slim;
  return JSON.stringify({ ...report, hostRead: { read: hostRead['read'], facts: note }, probes: 'left out (too big)', findings: 'left out (too big)' }, null, 2);
}
