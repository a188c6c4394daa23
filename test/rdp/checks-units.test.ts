// Unit tests: the ordering, and edge cases of single checks on lab-model facts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CAUSE_RANK, CHECKS, orderFindings } from '../../src/rdp/checks/index.ts';
import { memberMatches } from '../../src/rdp/checks/authz-rdp-users.ts';
import { diagnose } from '../../src/rdp/diagnose.ts';
import { executePlan } from '../../src/lab/model/index.ts';
import { RDP_STORE, RDP_TCP, POLICY } from '../../src/lab/model/paths.ts';
import { setValue } from '../../src/lab/model/registry.ts';
import { CHECK_IDS, type CheckId, type CheckInput, type Finding, type Verdict } from '../../src/rdp/types.ts';
import { factsOf, input, model, NOW, probes, TARGET } from './checks-fixtures.test.ts';
import type { HostModel } from '../../src/lab/model/index.ts';
import { tcpStats, type TcpSampleResult } from '../../src/rdp/probes/index.ts';

const run = (id: CheckId, i: CheckInput): Finding => {
  const c = CHECKS.get(id);
  assert.ok(c);
  return c.evaluate(i);
};
const on = (m: HostModel, over: Partial<CheckInput> = {}): CheckInput => input(factsOf(m), over);
const f = (check: CheckId, verdict: Verdict): Finding => ({ check, title: check, verdict, severity: 'info', summary: '', explanation: '', evidence: {}, fix: null });

describe('ordering', () => {
  test('CAUSE_RANK covers every check exactly once', () => {
    assert.deepEqual([...CAUSE_RANK].sort(), [...CHECK_IDS].sort());
  });

  test('problems first by cause rank, then warnings, unknowns, oks', () => {
    const ordered = orderFindings([
      f('evt-scan', 'ok'), f('net-latency-loss', 'warning'), f('cert-rdp-store', 'problem'), f('authz-rdp-users', 'unknown'),
      f('net-tcp-reachability', 'problem'), f('fw-rdp-rules', 'problem'), f('rdp-enabled', 'warning'), f('host-edition', 'ok'),
    ]).map((x) => `${x.verdict}:${x.check}`);
    assert.deepEqual(ordered, [
      'problem:fw-rdp-rules', 'problem:cert-rdp-store', 'problem:net-tcp-reachability',
      'warning:rdp-enabled', 'warning:net-latency-loss', 'unknown:authz-rdp-users', 'ok:host-edition', 'ok:evt-scan',
    ]);
  });

  test('fundamental causes rank before the symptoms they produce', () => {
    const before = (a: CheckId, b: CheckId): void => assert.ok(CAUSE_RANK.indexOf(a) < CAUSE_RANK.indexOf(b), `${a} before ${b}`);
    before('svc-termservice', 'listener-state');
    before('rdp-enabled', 'net-tcp-reachability');
    before('rdp-logon-modes', 'listener-state');
    before('fw-rdp-rules', 'cert-rdp-store');
    before('cert-machinekeys-acl', 'cert-rdp-store');
    before('tls-schannel-protocols', 'net-rdp-probe');
    before('net-dns-resolution', 'rdp-enabled');
  });
});

describe('svc-termservice', () => {
  test('Manual + Running is ok (Manual is the Windows default, not a fault)', () => {
    const r = run('svc-termservice', on(model()));
    assert.equal(r.verdict, 'ok');
    assert.match(r.summary, /running \(start type Manual, the Windows default\)/);
  });

  test('Disabled + Stopped proposes start-termservice', () => {
    const m = model('termservice-stopped');
    const s = m.services['termservice'];
    assert.ok(s);
    s.startType = 'Disabled';
    const r = run('svc-termservice', on(m));
    assert.equal(r.verdict, 'problem');
    assert.equal(r.fix?.id, 'start-termservice');
    assert.match(r.summary, /disabled and stopped/);
  });
});

describe('cert-rdp-store', () => {
  test('an expired certificate names its expiry date, YYYY-MM-DD', () => {
    const r = run('cert-rdp-store', on(model('cert-expired')));
    assert.equal(r.verdict, 'problem');
    assert.match(r.summary, /^The RDP certificate expired on \d{4}-\d{2}-01, so clients drop the TLS handshake \(0x904 \/ 0x7\)\.$/);
    assert.equal(r.fix?.id, 'regenerate-rdp-certificate');
  });

  test('a custom binding is left to cert-binding', () => {
    const m = model();
    const cert = m.certStores[RDP_STORE.toLowerCase()]?.certs[0];
    assert.ok(cert);
    m.certStores['my']?.certs.push(structuredClone(cert));
    setValue(m, RDP_TCP, 'SSLCertificateSHA1Hash', 'Binary', cert.thumbprint.toLowerCase());
    assert.equal(run('cert-rdp-store', on(m)).verdict, 'ok');
    assert.equal(run('cert-binding', on(m)).verdict, 'ok');
  });

  test('an expired custom certificate: cert-binding problem, no regeneration proposed', () => {
    const m = model('cert-expired');
    const cert = m.certStores[RDP_STORE.toLowerCase()]?.certs[0];
    assert.ok(cert);
    m.certStores['my']?.certs.push({ ...structuredClone(cert), issuer: 'CN=Contoso CA' });
    setValue(m, RDP_TCP, 'SSLCertificateSHA1Hash', 'Binary', cert.thumbprint.toLowerCase());
    const r = run('cert-binding', on(m));
    assert.equal(r.verdict, 'problem');
    assert.equal(r.fix, null);
    assert.match(r.summary, /expired on \d{4}-\d{2}-\d{2}/);
  });
});

describe('sec-layer-nla (registry values, policy precedence)', () => {
  const withValues = (local: Record<string, number>, policy: Record<string, number> = {}): Finding => {
    const m = model();
    for (const [k, v] of Object.entries(local)) setValue(m, RDP_TCP, k, 'DWord', v);
    for (const [k, v] of Object.entries(policy)) setValue(m, POLICY, k, 'DWord', v);
    return run('sec-layer-nla', on(m));
  };

  test('SecurityLayer 2 + NLA 1: ok', () => assert.equal(withValues({ SecurityLayer: 2, UserAuthentication: 1 }).verdict, 'ok'));
  test('SecurityLayer 1 (Negotiate) + NLA 1: ok', () => assert.equal(withValues({ SecurityLayer: 1, UserAuthentication: 1 }).verdict, 'ok'));

  test('SecurityLayer 0 + NLA 1: problem, restore-security-layer', () => {
    const r = withValues({ SecurityLayer: 0, UserAuthentication: 1 });
    assert.equal(r.verdict, 'problem');
    assert.equal(r.fix?.id, 'restore-security-layer');
    assert.match(r.summary, /SecurityLayer 0.*NLA/);
  });

  test('SecurityLayer 0 without NLA: still a problem (no TLS at all)', () => {
    const r = withValues({ SecurityLayer: 0, UserAuthentication: 0 });
    assert.equal(r.verdict, 'problem');
    assert.equal(r.fix?.id, 'restore-security-layer');
  });

  test('policy SecurityLayer 0 overrides a healthy local 2: managed by policy, no local fix', () => {
    const r = withValues({ SecurityLayer: 2, UserAuthentication: 1 }, { SecurityLayer: 0 });
    assert.equal(r.verdict, 'problem');
    assert.equal(r.managedByPolicy, true);
    assert.equal(r.fix, null);
    assert.match(r.summary, /Group Policy/);
  });

  test('policy SecurityLayer 2 overrides a local 0: ok', () => assert.equal(withValues({ SecurityLayer: 0, UserAuthentication: 1 }, { SecurityLayer: 2 }).verdict, 'ok'));

  test('SecurityLayer 2 + MinEncryptionLevel 1: problem without a catalogue fix', () => {
    const r = withValues({ SecurityLayer: 2, UserAuthentication: 1, MinEncryptionLevel: 1 });
    assert.equal(r.verdict, 'problem');
    assert.equal(r.fix, null);
  });

  test('NLA off: warning only', () => {
    const r = withValues({ SecurityLayer: 2, UserAuthentication: 0 });
    assert.equal(r.verdict, 'warning');
    assert.equal(r.fix, null);
  });
});

describe('net-winrm-identity', () => {
  test('case-insensitive, FQDN first label accepted', () => {
    const m = model();
    const i = on(m, { target: { ...TARGET, id: 'srv-17', address: 'WORK-PC.corp.example' } });
    assert.equal(run('net-winrm-identity', i).verdict, 'ok');
  });

  test('another computer name: warning, no fix', () => {
    const m = model();
    m.computerName = 'OTHER-PC';
    const r = run('net-winrm-identity', on(m));
    assert.equal(r.verdict, 'warning');
    assert.match(r.summary, /OTHER-PC, not work-pc/);
  });
});

describe('authz-rdp-users matching', () => {
  const member = { sid: 'S-1-5-21-1-2-3-1001', name: 'WORK-PC\\rdpuser', objectClass: 'User' as const, principalSource: 'Local' as const };
  test('by SID', () => assert.ok(memberMatches('S-1-5-21-1-2-3-1001', member, ['work-pc'])));
  test('DOMAIN\\name case-insensitive', () => assert.ok(memberMatches('work-pc\\RDPUSER', member, ['work-pc'])));
  test('.\\name and bare name for local accounts', () => {
    assert.ok(memberMatches('.\\rdpuser', member, ['work-pc']));
    assert.ok(memberMatches('rdpuser', member, ['work-pc']));
  });
  test('another domain does not match', () => assert.ok(!memberMatches('CONTOSO\\rdpuser', member, ['work-pc'])));
  test('no configured users: unknown, not ok', () => {
    const r = run('authz-rdp-users', on(model(), { target: { ...TARGET, rdpUsers: [] } }));
    assert.equal(r.verdict, 'unknown');
    assert.equal(r.fix, null);
  });
});

describe('net-dns-resolution', () => {
  test('an IP literal address is not applicable (ok) with evidence', () => {
    const r = run('net-dns-resolution', on(model(), { target: { ...TARGET, address: '10.0.0.5' }, probes: probes({ dns: null }) }));
    assert.equal(r.verdict, 'ok');
    assert.equal(r.evidence['literal'], true);
  });
  test('a name that does not resolve: problem, no fix', () => {
    const r = run('net-dns-resolution', on(model(), { probes: probes({ dns: { name: TARGET.address, addresses: [], error: 'ENOTFOUND', ms: 1, resolver: 'x' } }) }));
    assert.equal(r.verdict, 'problem');
    assert.equal(r.fix, null);
  });
});

describe('net-latency-loss', () => {
  test('loss is a warning', () => {
    const r = run('net-latency-loss', on(model(), { probes: probes({ latency: { samples: [], ok: 2, lost: 1, lossPct: 33.33, minMs: 1, avgMs: 2, maxMs: 3, jitterMs: 1 } }) }));
    assert.equal(r.verdict, 'warning');
  });

  // Fixed connect times, as sampleTcp would report them (no timing in the test).
  const sampled = (ms: number[], localDelayMs?: number): TcpSampleResult => {
    const samples = ms.map((x) => ({ port: 3389, state: 'open' as const, ms: x, error: null }));
    return { samples, ...tcpStats(samples), ...(localDelayMs !== undefined ? { localDelayMs } : {}) };
  };
  const latencyOf = (s: TcpSampleResult): Finding => run('net-latency-loss', on(model(), { probes: probes({ latency: s }) }));

  test('one slow connect on a busy machine (48 ms jitter) does not cry wolf: ok, and says why', () => {
    const s = sampled([10, 58, 11]);
    assert.equal(s.jitterMs, 47.5, 'over the 30 ms limit by the old rule');
    const r = latencyOf(s);
    assert.equal(r.verdict, 'ok', r.summary);
    assert.match(r.explanation, /not repeatedly beyond 30 ms over the fastest: a busy moment here, not the network/);
  });

  test('jitter that repeats (two of three connects far slower than the fastest) is a warning', () => {
    const r = latencyOf(sampled([10, 58, 64]));
    assert.equal(r.verdict, 'warning');
    assert.match(r.summary, /unstable: jitter is [\d.]+ ms \(2 of 3 connects over 30 ms slower than the fastest, 10 ms\)/);
  });

  test('repeated slow connects while this machine could not run (local delay) are judged against that baseline', () => {
    assert.equal(latencyOf(sampled([10, 58, 11, 60])).verdict, 'warning', 'repeated, with no local delay');
    const r = latencyOf(sampled([10, 58, 11, 60], 40));
    assert.equal(r.verdict, 'ok', r.summary);
    assert.match(r.explanation, /plus the 40 ms this machine was busy/);
    assert.equal(r.evidence.localDelayMs, 40);
    assert.equal(latencyOf(sampled([10, 90, 95], 40)).verdict, 'warning', 'beyond the local delay too');
  });
});

describe('diagnose()', () => {
  test('runs the read plan and the probes in parallel (Promise.all, not one after the other)', { timeout: 5000 }, async () => {
    const m = model();
    const p = probes();
    // Each dependency logs its start, then finishes only after every one of the six has started:
    // run one after the other, the first would never finish and the log would show it.
    const events: string[] = [];
    let started = 0;
    let release: () => void = () => {};
    const allStarted = new Promise<void>((resolve) => (release = resolve));
    const gate = <T>(name: string, v: () => T): Promise<T> => {
      events.push(`start ${name}`);
      if (++started === 6) release();
      return allStarted.then(() => {
        events.push(`end ${name}`);
        return v();
      });
    };
    const d = await diagnose(TARGET, {
      runPlan: (plan) => gate('plan', () => executePlan(m, plan, NOW)),
      probe: {
        dns: () => gate('dns', () => p.dns ?? { name: '', addresses: [], error: null, ms: 0, resolver: '' }),
        tcp: (o) => gate(`tcp ${o.port}`, () => ({ ...p.tcpRdp, port: o.port })),
        sample: () => gate('sample', () => p.latency ?? { samples: [], ok: 0, lost: 0, lossPct: 0, minMs: null, avgMs: null, maxMs: null, jitterMs: null }),
        rdp: () => gate('rdp', () => p.rdp),
      },
      now: () => NOW,
    });
    const firstEnd = events.findIndex((e) => e.startsWith('end'));
    assert.equal(firstEnd, 6, `all six start before any ends: ${events.join(', ')}`);
    assert.equal(d.winrmCommands, 1);
  });
});
