// The evidence export (rdp/evidence.ts) and the Microsoft reference of every check: the document
// holds the facts, the probes, every finding with its evidence and references, the timings and the
// versions; secrets are scrubbed; a chat-sized export leaves the facts out and says how to get them;
// a host that could not be read says why. Every check links a Microsoft page that chat shows as a link.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { RUNTIME_VERSION } from '../../src/host/runtime.ts';
import { executePlan } from '../../src/lab/model/execute-plan.ts';
import { registerSecretValues } from '../../src/lib/scrub.ts';
import { CHECK_REFERENCES, findingReference } from '../../src/rdp/checks/references.ts';
import { examine, type DiagnoseProbes, type Examination } from '../../src/rdp/diagnose.ts';
import { evidenceJson, evidenceReport } from '../../src/rdp/evidence.ts';
import { CHECK_IDS } from '../../src/rdp/types.ts';
import { WinrmTransportError } from '../../src/winrm/errors.ts';
import { model, NOW, probes, TARGET } from './checks-fixtures.test.ts';

const p = probes();
const PROBES: DiagnoseProbes = {
  dns: async () => p.dns ?? { name: '', addresses: [], error: null, ms: 0, resolver: '' },
  tcp: async (o) => ({ ...p.tcpRdp, port: o.port }),
  sample: async () => p.latency ?? { samples: [], ok: 0, lost: 0, lossPct: 0, minMs: null, avgMs: null, maxMs: null, jitterMs: null },
  rdp: async () => p.rdp,
};

/** The export's shape, as far as these tests read it. */
interface Doc {
  format: string;
  host: string;
  collectedAt: string;
  verdict: string;
  versions: Record<string, unknown>;
  findings: { check: string; verdict: string; evidence: unknown; references: { url: string }[] }[];
  hostRead: { read: boolean; facts?: { os: { computerName: string } } | string; failure?: { kind: string } };
  probes: { rdp: { stage: string } };
  timingsMs: { total: number };
}

const examined = (scenario: string): Promise<Examination> =>
  examine(TARGET, { runPlan: async (plan) => executePlan(model(scenario), plan, NOW), probe: PROBES, now: () => NOW });

describe('evidence export', () => {
  test('facts, probes, every finding with its evidence and references, timings and versions', async () => {
    const x = await examined('cert-expired');
    const doc = JSON.parse(evidenceJson(x, { version: '9.9.9' })) as Doc;
    assert.equal(doc.format, 'rdp-medic-evidence');
    assert.equal(doc.host, TARGET.id);
    assert.equal(doc.collectedAt, NOW.toISOString());
    assert.deepEqual({ ...doc.versions, node: undefined }, { rdpMedic: '9.9.9', runtime: RUNTIME_VERSION, plan: 2, node: undefined });
    assert.equal(doc.verdict, x.diagnosis.verdict);
    assert.equal(doc.findings.length, CHECK_IDS.length);
    const cert = doc.findings.find((f) => f.check === 'cert-rdp-store')!;
    assert.equal(cert.verdict, 'problem');
    assert.deepEqual(cert.evidence, JSON.parse(JSON.stringify(x.diagnosis.findings.find((f) => f.check === 'cert-rdp-store')!.evidence)));
    assert.equal(cert.references[0]!.url, findingReference('cert-rdp-store').url);
    assert.equal(doc.hostRead.read, true);
    assert.equal((doc.hostRead.facts as { os: { computerName: string } }).os.computerName, JSON.parse(JSON.stringify(x.input.facts)).os.computerName);
    assert.equal(doc.probes.rdp.stage, p.rdp.stage);
    assert.equal(typeof doc.timingsMs.total, 'number');
  });

  test('secrets are scrubbed: secret-named keys dropped, configured secret values masked', async () => {
    const x = await examined('healthy');
    registerSecretValues(['Sup3r-S3cret-Pa55']);
    const f = x.diagnosis.findings[0]!;
    f.evidence = { ...f.evidence, password: 'hunter2-hunter2', note: 'login with Sup3r-S3cret-Pa55 failed', header: 'Authorization: Bearer abcdefghijklmnop' };
    const text = evidenceJson(x, { version: '1' });
    assert.ok(!text.includes('hunter2'), 'a secret-named key is dropped');
    assert.ok(!text.includes('Sup3r-S3cret-Pa55'), 'a configured secret value is masked');
    assert.ok(!text.includes('abcdefghijklmnop'), 'a bearer token is masked');
    assert.match(text, /login with \[redacted\] failed/);
  });

  test('within a size: the facts are left out with a note saying how to get them, the findings stay', async () => {
    const x = await examined('cert-expired');
    const whole = evidenceJson(x, { version: '1' });
    const limit = Math.floor(Buffer.byteLength(whole) * 0.8);
    const small = evidenceJson(x, { version: '1', maxBytes: limit });
    assert.ok(Buffer.byteLength(small) <= limit, `${Buffer.byteLength(small)} > ${limit}`);
    const doc = JSON.parse(small) as Doc;
    assert.match(doc.hostRead.facts as string, /^left out: the facts made this file \d+ bytes, over the \d+ a chat file may be; run `rdp-medic evidence [^`]+` for all of them$/);
    assert.ok((doc.hostRead.facts as string).includes(`rdp-medic evidence ${TARGET.id}`));
    assert.equal(doc.findings.length, CHECK_IDS.length);
    assert.equal(evidenceJson(x, { version: '1', maxBytes: Buffer.byteLength(whole) }), whole, 'a document within the size is whole');
    // Far too small even without the facts: findings and probes go too; what is left still fits.
    const tiny = evidenceJson(x, { version: '1', maxBytes: 4000 });
    assert.ok(Buffer.byteLength(tiny) <= 4000, `${Buffer.byteLength(tiny)}`);
    assert.equal(JSON.parse(tiny).findings, 'left out (too big)');
  });

  test('a host that could not be read: the failure in place of the facts, the probes still there', async () => {
    const x = await examine(TARGET, { runPlan: () => Promise.reject(new WinrmTransportError('connect ECONNREFUSED 10.0.0.5:5985', 'work-pc', 'create', { kind: 'refused', code: 'ECONNREFUSED' })), probe: PROBES, now: () => NOW });
    const doc = evidenceReport(x, { version: '1' }) as unknown as Doc;
    assert.equal(doc.hostRead.read, false);
    assert.equal(doc.hostRead.failure?.kind, 'unreachable');
    assert.equal(doc.hostRead.facts, undefined);
    assert.ok(doc.probes.rdp);
  });
});

describe('Microsoft references', () => {
  test('every check links a Microsoft page; the one chat shows is a link Slack and Discord leave unchanged', () => {
    for (const id of CHECK_IDS) {
      const refs = CHECK_REFERENCES[id];
      assert.ok(refs.length > 0, id);
      for (const r of refs) {
        const url = new URL(r.url);
        assert.equal(url.protocol, 'https:', `${id}: ${r.url}`);
        assert.ok(url.hostname.endsWith('.microsoft.com'), `${id}: ${r.url}`);
        assert.match(r.source, /^S\d+$/);
        assert.ok(r.title.length > 10);
      }
      assert.equal(findingReference(id), refs[0]);
      // Characters Slack's mrkdwn or Discord's markdown escaping would alter inside a link.
      assert.doesNotMatch(findingReference(id).url, /[_*~|[\]<>&`\s]/, `${id}: ${findingReference(id).url}`);
    }
  });
});
