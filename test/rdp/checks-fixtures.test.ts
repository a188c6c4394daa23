// Shared fixtures for the check unit tests: lab-model facts (the real read plan executed on the
// model) and synthesized probe evidence.
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { executePlan } from '../../src/lab/model/index.ts';
import type { HostModel } from '../../src/lab/model/index.ts';
import { buildReadPlan, isFactError, readPlanFacts, type HostFacts } from '../../src/rdp/read-plan.ts';
import type { CheckInput, CheckTarget, ProbeEvidence } from '../../src/rdp/types.ts';
import type { RdpProbeResult } from '../../src/rdp/probes/index.ts';

export const NOW = new Date();

export const TARGET: CheckTarget = {
  id: 'work-pc', address: 'work-pc.lab.test', rdpHost: '127.0.0.1', rdpPort: 3389,
  winrmUrl: 'http://127.0.0.1:5985/wsman', rdpUsers: ['WORK-PC\\rdpuser'],
};

const models = new Map<string, HostModel>();

/** A scenario's host model (cached: certificate generation is slow); callers get a deep copy. */
export function model(scenario = 'healthy'): HostModel {
  let m = models.get(scenario);
  if (!m) {
    m = buildHost([scenario], { computerName: 'work-pc', password: 'pw', now: NOW });
    models.set(scenario, m);
  }
  return structuredClone(m);
}

export function factsOf(m: HostModel): HostFacts {
  return readPlanFacts(executePlan(m, buildReadPlan(), NOW));
}

export function rdpOk(port = 3389, validTo = new Date(NOW.getTime() + 90 * 86_400_000)): RdpProbeResult {
  return {
    target: { host: '127.0.0.1', port }, ok: true, stage: 'done', error: null,
    tcp: { ok: true, ms: 1, error: null },
    negotiation: { requested: ['tls', 'hybrid', 'hybrid_ex'], selected: 'hybrid_ex', failure: null, failureCode: null, flags: 0x1f },
    tls: { version: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384', legacy: false },
    certificate: {
      subject: 'CN=WORK-PC', issuer: 'CN=WORK-PC', subjectAltName: 'DNS:WORK-PC', serialNumber: '01', validFrom: new Date(NOW.getTime() - 86_400_000).toISOString(),
      validTo: validTo.toISOString(), daysUntilExpiry: 90, expired: validTo.getTime() < NOW.getTime(), notYetValid: false, selfSigned: true, keyType: 'rsa', keySize: 2048,
      sha256: 'AA', sha1Thumbprint: 'BB', nameMatches: false, nameMismatch: 'Host: work-pc.lab.test. is not cert\'s CN: WORK-PC',
    },
    timingsMs: { tcpConnect: 1, x224: 1, tlsHandshake: 2, total: 4 },
  };
}

export function rdpRefused(port = 3389): RdpProbeResult {
  return {
    target: { host: '127.0.0.1', port }, ok: false, stage: 'tcp', error: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
    tcp: { ok: false, ms: null, error: 'ECONNREFUSED' }, negotiation: null, tls: null, certificate: null,
    timingsMs: { tcpConnect: null, x224: null, tlsHandshake: null, total: 1 },
  };
}

export function probes(over: Partial<ProbeEvidence> = {}): ProbeEvidence {
  return {
    dns: { name: 'work-pc.lab.test', addresses: [{ address: '127.0.0.1', family: 4 }], error: null, ms: 1, resolver: '127.0.0.1:53' },
    tcpRdp: { port: 3389, state: 'open', ms: 1, error: null },
    tcpWinrm: { port: 5985, state: 'open', ms: 1, error: null },
    latency: { samples: [], ok: 3, lost: 0, lossPct: 0, minMs: 1, avgMs: 1, maxMs: 1, jitterMs: 0 },
    rdp: rdpOk(),
    ...over,
  };
}

/** The probe sees the host's own certificate (thumbprint from Win32_TSGeneralSetting), as on a healthy path. */
export function input(facts: CheckInput['facts'], over: Partial<CheckInput> = {}): CheckInput {
  const p = probes();
  const general = 'failure' in facts || isFactError(facts.tsGeneral) ? undefined : facts.tsGeneral[0];
  const thumb = general?.['SSLCertificateSHA1Hash'];
  if (p.rdp.certificate && typeof thumb === 'string') p.rdp.certificate.sha1Thumbprint = thumb;
  return { target: TARGET, facts, probes: p, now: NOW, ...over };
}

// The fixtures themselves: the healthy lab facts are complete except what the lab does not model.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('fixtures: healthy lab facts read completely (except CIM classes the lab does not serve)', () => {
  const f = factsOf(model());
  const errors = Object.entries(f).filter(([, v]) => typeof v === 'object' && v !== null && isFactError(v as never)).map(([k]) => k);
  assert.deepEqual(errors.sort(), ['tsAccounts', 'tsNetworkAdapter']);
});
