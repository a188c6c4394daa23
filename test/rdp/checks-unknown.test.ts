// Missing evidence: a Fact that is an error, or no facts at all ({ failure }), makes the checks
// that need it `unknown` — never ok, never a fix. And diagnose() survives WinRM failures.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { HostFacts } from '../../src/rdp/read-plan.ts';
import { CHECKS, evaluateChecks } from '../../src/rdp/checks/index.ts';
import { diagnose } from '../../src/rdp/diagnose.ts';
import type { CheckId, Finding, HostAccessFailure } from '../../src/rdp/types.ts';
import { WinrmAuthError, WinrmTransportError } from '../../src/winrm/errors.ts';
import { SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { factsOf, input, model, NOW, probes, rdpRefused, TARGET } from './checks-fixtures.test.ts';

const ERR = { error: { code: 'AccessDenied' as const, message: 'Access is denied.' } };

/** Every fact path of HostFacts ("rdpTcp", "services.TermService", "events.schannel", ...). */
function factPaths(f: HostFacts): string[] {
  const nested = new Set(['services', 'schannel', 'events']);
  return Object.keys(f).flatMap((k) => {
    if (k === 'host' || k === 'runtime') return [];
    if (nested.has(k)) return Object.keys(f[k as 'services'] as object).map((s) => `${k}.${s}`);
    return [k];
  });
}

function withError(f: HostFacts, path: string): HostFacts {
  const copy = structuredClone(f) as unknown as Record<string, Record<string, unknown>>;
  const dot = path.indexOf('.');
  const [a, b] = dot < 0 ? [path, undefined] : [path.slice(0, dot), path.slice(dot + 1)];
  if (b) (copy[a] as Record<string, unknown>)[b] = ERR;
  else (copy as Record<string, unknown>)[a] = ERR;
  return copy as unknown as HostFacts;
}

const byCheck = (fs: Finding[]): Map<CheckId, Finding> => new Map(fs.map((x) => [x.check, x]));

/** Checks that must become unknown when this fact is missing (on the healthy host). */
const MUST_BE_UNKNOWN: Record<string, CheckId[]> = {
  os: ['host-edition', 'net-winrm-identity', 'sec-credssp-domain'],
  terminalServer: ['rdp-enabled', 'rdp-logon-modes', 'listener-throttling'],
  rdpTcp: ['rdp-logon-modes', 'listener-state', 'listener-port', 'fw-rdp-rules', 'cert-rdp-store', 'sec-layer-nla', 'conn-limits', 'authz-listener-acl'],
  tsPolicy: ['rdp-enabled', 'sec-layer-nla', 'conn-limits', 'cert-binding', 'net-rdp-transport'],
  'services.TermService': ['svc-termservice', 'listener-state', 'listener-port'],
  'services.SessionEnv': ['svc-rdp-dependencies'],
  'schannel.TLS 1.2': ['tls-schannel-protocols'],
  tsGeneral: ['cert-rdp-store', 'cert-binding', 'cert-machinekeys-acl'],
  certsRemoteDesktop: ['cert-rdp-store', 'cert-machinekeys-acl', 'cert-binding'],
  firewallRules: ['fw-rdp-rules', 'fw-profile-policy'],
  firewallProfiles: ['fw-rdp-rules', 'fw-profile-policy'],
  remoteDesktopUsers: ['authz-rdp-users'],
  administrators: ['authz-rdp-users'],
  tcpListeners: ['listener-state', 'listener-port'],
  ipAddresses: ['net-dns-resolution', 'net-host-nic'],
  sessions: ['listener-state', 'conn-limits'],
  'events.failedLogons': ['authz-user-rights', 'listener-throttling'],
  'events.schannel': ['tls-cipher-fips', 'cert-machinekeys-acl'],
  'events.termdd': ['net-host-nic'],
  fipsAlgorithmPolicy: ['tls-cipher-fips'],
  credSspOracle: ['sec-credssp-domain'],
  winStationsDisabled: ['rdp-logon-modes'],
};

describe('a missing fact makes the checks that need it unknown', () => {
  const healthy = factsOf(model());
  const baseline = byCheck(evaluateChecks(input(healthy)));

  test('healthy baseline: every check ok', () => {
    assert.deepEqual([...baseline.values()].filter((f) => f.verdict !== 'ok').map((f) => `${f.check}: ${f.summary}`), []);
  });

  for (const path of factPaths(healthy)) {
    test(`${path} unreadable`, () => {
      const got = byCheck(evaluateChecks(input(withError(healthy, path))));
      for (const id of MUST_BE_UNKNOWN[path] ?? []) {
        const f = got.get(id);
        assert.equal(f?.verdict, 'unknown', `${id} with ${path} missing: ${f?.summary}`);
        assert.equal(f?.fix, null);
        assert.match(f?.summary ?? '', /could not be read|Could not/, `${id} says what could not be read`);
      }
      for (const [id, f] of got) {
        if (f.verdict !== baseline.get(id)?.verdict) assert.equal(f.verdict, 'unknown', `${id} changed to ${f.verdict} with ${path} missing: ${f.summary}`);
        if (f.verdict === 'unknown') assert.equal(f.fix, null);
      }
    });
  }

  // On a broken host, a missing fact must never turn a problem into ok or invent a fix.
  test('no scenario × missing fact turns a problem into ok or proposes a fix on missing evidence', () => {
    for (const name of SCENARIOS.keys()) {
      const facts = factsOf(model(name));
      const base = byCheck(evaluateChecks(input(facts)));
      for (const path of factPaths(facts)) {
        for (const f of evaluateChecks(input(withError(facts, path)))) {
          const before = base.get(f.check);
          if (f.verdict !== before?.verdict) assert.equal(f.verdict, 'unknown', `${name}: ${f.check} became ${f.verdict} with ${path} missing`);
          if (f.verdict === 'unknown') assert.equal(f.fix, null, `${name}: ${f.check} unknown with a fix`);
        }
      }
    }
  });
});

describe('host unreachable ({ failure })', () => {
  const failure: HostAccessFailure = { kind: 'unreachable', message: 'WinRM on work-pc (port 5985) could not be reached: connect ECONNREFUSED' };
  const BOT_SIDE: CheckId[] = ['net-tcp-reachability', 'net-rdp-probe', 'net-latency-loss', 'fw-third-party'];

  test('every host-side check is unknown, without a fix, saying why', () => {
    const findings = evaluateChecks(input({ failure }));
    assert.equal(findings.length, CHECKS.size);
    for (const f of findings) {
      if (BOT_SIDE.includes(f.check)) continue;
      assert.equal(f.verdict, 'unknown', `${f.check}: ${f.summary}`);
      assert.equal(f.fix, null);
      assert.match(f.summary, /WinRM/, `${f.check} says the host could not be read over WinRM`);
    }
  });

  test('bot-side checks still report what the probes see', () => {
    const findings = byCheck(evaluateChecks(input({ failure }, { probes: probes({ tcpRdp: { port: 3389, state: 'refused', ms: null, error: 'ECONNREFUSED' }, rdp: rdpRefused() }) })));
    assert.equal(findings.get('net-tcp-reachability')?.verdict, 'problem');
    assert.equal(findings.get('net-rdp-probe')?.verdict, 'problem');
    assert.equal(findings.get('net-tcp-reachability')?.fix, null);
    assert.equal(findings.get('net-latency-loss')?.verdict, 'unknown', 'no latency verdict through a closed port');
  });
});

describe('diagnose() when runPlan throws', () => {
  const fakeProbes = (rdpOpen: boolean, winrmState: 'open' | 'refused') => ({
    dns: () => Promise.resolve(probes().dns ?? { name: '', addresses: [], error: 'ENOTFOUND', ms: 0, resolver: '' }),
    tcp: (o: { port: number }) => Promise.resolve(o.port === 5985
      ? { port: 5985, state: winrmState, ms: winrmState === 'open' ? 1 : null, error: winrmState === 'open' ? null : 'ECONNREFUSED' }
      : { port: o.port, state: rdpOpen ? ('open' as const) : ('refused' as const), ms: rdpOpen ? 1 : null, error: rdpOpen ? null : 'ECONNREFUSED' }),
    sample: () => Promise.resolve(probes().latency ?? { samples: [], ok: 0, lost: 0, lossPct: 0, minMs: null, avgMs: null, maxMs: null, jitterMs: null }),
    rdp: () => Promise.resolve(rdpOpen ? probes().rdp : rdpRefused()),
  });

  test('a WinRM auth error gives an auth headline and a full diagnosis', async () => {
    const d = await diagnose(TARGET, {
      runPlan: () => Promise.reject(new WinrmAuthError('HTTP 401 after NTLM authentication', 'work-pc', 'create', 'ntlm')),
      probe: fakeProbes(true, 'open'),
      now: () => NOW,
    });
    assert.equal(d.findings.length, CHECKS.size);
    assert.equal(d.winrmCommands, 1);
    assert.match(d.headline, /^WinRM on work-pc rejected rdp-medic's credentials and RDP port 3389 answers with TLSv1\.3: fix rdp-medic's WinRM credentials/);
    assert.equal(d.verdict, 'unknown');
    const identity = d.findings.find((f) => f.check === 'net-winrm-identity');
    assert.match(identity?.summary ?? '', /WinRM rejected the credentials \(NTLM\) for host work-pc/);
    assert.doesNotMatch(JSON.stringify(d), /pw\b|password=/i);
  });

  test('WinRM refused and RDP refused: something answers but neither listens; one finding says what was tried', async () => {
    const d = await diagnose(TARGET, {
      runPlan: () => Promise.reject(new WinrmTransportError('connect ECONNREFUSED 127.0.0.1:5985', 'work-pc', 'create', { kind: 'refused', code: 'ECONNREFUSED' })),
      probe: fakeProbes(false, 'refused'),
      now: () => NOW,
    });
    assert.equal(d.headline, 'WinRM on work-pc (port 5985) refused the connection and RDP port 3389 is closed: something at that address answers, but neither service listens, or a firewall rejects both.');
    assert.equal(d.verdict, 'problem');
    assert.equal(d.winrmCommands, 0, 'no command ran: the connection never opened');
    assert.equal(d.hostAccess?.kind, 'unreachable');
    assert.equal(d.findings[0]?.check, 'net-rdp-probe');
    assert.equal(d.findings[0]?.supports, 'net-tcp-reachability', 'the probe is the reachability problem seen from the RDP side');
    const reach = d.findings.find((f) => f.check === 'net-tcp-reachability');
    assert.match(reach?.explanation ?? '', /^Tried from rdp-medic: work-pc.lab.test resolves to 127.0.0.1; TCP to RDP port 3389 refuses connections; TCP to WinRM port 5985 refuses connections\. What to do: check that the machine is running/);
  });

  test('WinRM and RDP time out: the machine may be off', async () => {
    const timedOut = fakeProbes(false, 'refused');
    const d = await diagnose(TARGET, {
      runPlan: () => Promise.reject(new WinrmTransportError('connect ETIMEDOUT 127.0.0.1:5985', 'work-pc', 'create', { kind: 'unreachable', code: 'ETIMEDOUT' })),
      probe: { ...timedOut, tcp: (o) => Promise.resolve({ port: o.port, state: 'timeout', ms: null, error: 'ETIMEDOUT' }) },
      now: () => NOW,
    });
    assert.match(d.headline, /: the machine may be off or unreachable from here\.$/);
    assert.match(d.findings.find((f) => f.check === 'net-tcp-reachability')?.summary ?? '', /^Neither RDP \(port 3389\) nor WinRM \(port 5985\) answers on work-pc: the machine is off/);
  });

  test('a custom classifier is used, and a throwing one falls back to the default', async () => {
    const custom = await diagnose(TARGET, { runPlan: () => Promise.reject(new Error('boom')), probe: fakeProbes(true, 'open'), classifyError: () => ({ kind: 'config', message: 'no credentials configured for work-pc' }) });
    assert.match(custom.headline, /rdp-medic could not run its diagnostic on work-pc/);
    const fallback = await diagnose(TARGET, { runPlan: () => Promise.reject(new Error('boom')), probe: fakeProbes(true, 'open'), classifyError: () => { throw new Error('bad classifier'); } });
    assert.match(fallback.headline, /diagnostic script on work-pc failed/);
  });
});

describe('Group Policy', () => {
  test('rdp-disabled-by-policy: managedByPolicy, no local fix, the explanation says change the GPO', () => {
    const f = byCheck(evaluateChecks(input(factsOf(model('rdp-disabled-by-policy'))))).get('rdp-enabled');
    assert.equal(f?.verdict, 'problem');
    assert.equal(f?.managedByPolicy, true);
    assert.equal(f?.fix, null);
    assert.match(f?.summary ?? '', /Group Policy/);
    assert.match(f?.explanation ?? '', /change the GPO/);
  });

  test('a firewall rule delivered by GPO is not enabled locally', () => {
    const m = model('firewall-blocked');
    for (const r of m.firewall.rules) if (r.name.startsWith('RemoteDesktop-')) r.policyStoreSourceType = 'GroupPolicy';
    const f = byCheck(evaluateChecks(input(factsOf(m)))).get('fw-rdp-rules');
    assert.equal(f?.verdict, 'problem');
    assert.equal(f?.managedByPolicy, true);
    assert.equal(f?.fix, null);
    assert.match(f?.summary ?? '', /Group Policy/);
  });
});
