// Every lab scenario end to end: facts from the real read plan executed against the host model,
// probes from the real probeRdp/probeTcp against the lab's real RDP listener on 127.0.0.1, DNS from
// a real UDP server. The first problem must be the planted cause with its curing fix.
// WRITE_MATRIX=1 also writes docs/diagnosis-matrix.md from these runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SCENARIOS, buildHost, type Scenario } from '../../src/lab/scenarios/index.ts';
import { deriveRdpState, executePlan } from '../../src/lab/model/index.ts';
import { startRdpListener } from '../../src/lab/rdp/index.ts';
import { DEFAULT_PROBES, diagnose } from '../../src/rdp/diagnose.ts';
import { FIX_INFO } from '../../src/rdp/fixes/catalogue.ts';
import type { CheckTarget, Diagnosis } from '../../src/rdp/types.ts';
import { startDnsServer, type FakeDnsServer } from '../fakes/dns-server.ts';

const HOST = 'work-pc';
const NAME = `${HOST}.lab.test`;

/** The fix id each scenario's planted cause must propose (null: none, policy or DNS). */
const EXPECTED_FIX: Record<string, (string | null)[]> = {
  'rdp-disabled': ['enable-rdp'],
  'rdp-disabled-by-policy': [null],
  'termservice-stopped': ['start-termservice'],
  'listener-down': ['enable-rdp-listener', null],
  'port-changed': ['reset-rdp-port'],
  'firewall-blocked': ['enable-rdp-firewall-rules'],
  'cert-expired': ['regenerate-rdp-certificate'],
  'cert-key-unreadable': ['regenerate-rdp-certificate'],
  'tls-disabled': ['enable-tls12'],
  'security-layer-mismatch': ['restore-security-layer'],
  'user-not-allowed': ['add-rdp-user'],
  'connection-limit': ['raise-connection-limit'],
  'dns-mismatch': [null],
  'svc-dependency-stopped': ['start-rdp-dependency'],
  'cert-expired+firewall-blocked': ['enable-rdp-firewall-rules', 'regenerate-rdp-certificate'],
  'cert-key-acl-network-service': ['regenerate-rdp-certificate'],
  'fw-block-rule': [null],
};

/** Scenarios with no cause whose diagnosis must still say unknown (never ok) for the facts it could not read. */
const EXPECTED_UNKNOWN: Record<string, { checks: string[]; why: RegExp }> = {
  'wmi-hung': { checks: ['cert-binding', 'cert-machinekeys-acl', 'cert-rdp-store'], why: /Win32_TSGeneralSetting .*could not be read \(Timeout: .*root\\cimv2\\TerminalServices did not answer/ },
};

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

export interface ScenarioRun {
  scenario: Scenario;
  diagnosis: Diagnosis;
}

/** Builds the scenario's host, starts its RDP listener and a WinRM stand-in, and diagnoses it. */
async function runScenario(scenario: Scenario, dnsServer: string): Promise<ScenarioRun> {
  const now = new Date();
  const model = buildHost([scenario], { computerName: HOST, password: 'lab-password', now });
  const rdp = await startRdpListener({ getState: () => deriveRdpState(model), modelPorts: [3389], idleTimeoutMs: 5000, rdpSecurityCloseMs: 100 });
  // WinRM is not exercised here (runPlan executes the plan on the model); a real port keeps the TCP probe honest.
  const winrm = net.createServer((s) => s.destroy());
  try {
    const winrmPort = await listen(winrm);
    const target: CheckTarget = {
      id: HOST, address: NAME, rdpHost: '127.0.0.1', rdpPort: rdp.realPortFor(3389) ?? 0,
      winrmUrl: `http://127.0.0.1:${winrmPort}/wsman`, rdpUsers: [`${HOST.toUpperCase()}\\rdpuser`],
    };
    const diagnosis = await diagnose(target, {
      runPlan: (plan) => Promise.resolve(executePlan(model, plan)),
      // Latency samples on loopback measure only the test machine's scheduling (under a parallel suite,
      // tens of ms of "jitter"): a steady network is stated instead. The real DNS, TCP and RDP probes
      // still run; net-latency-loss has its own tests (checks-units).
      probe: { ...DEFAULT_PROBES, sample: (o) => Promise.resolve({ samples: [], ok: o.count ?? 3, lost: 0, lossPct: 0, minMs: 1, avgMs: 1, maxMs: 1, jitterMs: 0 }) },
      dnsServers: [dnsServer],
      timeoutMs: 1500,
      now: () => now,
    });
    return { scenario, diagnosis };
  } finally {
    await rdp.close();
    await new Promise<void>((resolve) => winrm.close(() => resolve()));
  }
}

function probeSees(d: Diagnosis): string {
  const f = d.findings.find((x) => x.check === 'net-rdp-probe');
  const ev = f?.evidence as { stage?: string; ok?: boolean; error?: { code?: string } | null; selected?: string | null; failure?: string | null; tls?: { version?: string } | null; certificate?: { validTo?: string } | null } | undefined;
  if (!ev) return '?';
  if (ev.ok) return `${ev.tls?.version ?? 'done'} (${ev.selected ?? '?'})${ev.certificate?.validTo ? `, cert until ${ev.certificate.validTo.slice(0, 10)}` : ''}`;
  if (ev.failure) return `x224: ${ev.failure}`;
  return `${ev.stage}: ${ev.error?.code ?? 'error'}`;
}

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function matrix(runs: ScenarioRun[]): string {
  const rows = runs.map(({ scenario, diagnosis: d }) => {
    const first = d.findings[0];
    const fix = first?.verdict === 'problem' ? first.fix : null;
    const cell = first && first.verdict === 'problem' ? `\`${first.check}\`: ${first.summary}` : `(${d.verdict}) ${d.headline}`;
    const fixCell = fix ? `\`${fix.id}\`${first?.managedByPolicy ? '' : ''}` : first?.managedByPolicy ? 'none (Group Policy: change the GPO)' : first?.verdict === 'problem' ? 'none (escalate)' : 'none';
    const risk = fix ? FIX_INFO[fix.id as keyof typeof FIX_INFO]?.risk ?? fix.risk : '-';
    return `| ${scenario.name} | ${scenario.cause.length ? scenario.cause.map((c) => `\`${c}\``).join(', ') : '-'} | ${esc(probeSees(d))} | ${esc(cell)} | ${fixCell} | ${risk} |`;
  });
  return [
    '# Diagnosis matrix',
    '',
    'Generated by `WRITE_MATRIX=1 node --import tsx --test test/rdp/checks-scenarios.test.ts` from real runs: every lab scenario\'s host model, the real read plan executed on it, the real RDP/TCP probes against the lab\'s RDP listener on 127.0.0.1 and a real DNS server. Do not edit by hand.',
    '',
    '| Scenario | Planted cause | What the probe sees | First finding (check: summary) | Proposed fix | Risk |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

describe('checks against every lab scenario (real read plan, real probes, real listener)', () => {
  let dns: FakeDnsServer;
  const runs: ScenarioRun[] = [];
  before(async () => {
    // The healthy model's own address is 127.0.0.1 (default-model.ts), what the lab DNS answers.
    dns = await startDnsServer({ [NAME]: { a: ['127.0.0.1'] } });
  });
  after(async () => {
    await dns.close();
    if (process.env['WRITE_MATRIX'] === '1' && runs.length === SCENARIOS.size) {
      const order = [...SCENARIOS.keys()];
      runs.sort((a, b) => order.indexOf(a.scenario.name) - order.indexOf(b.scenario.name));
      writeFileSync(fileURLToPath(new URL('../../docs/diagnosis-matrix.md', import.meta.url)), matrix(runs));
    }
  });

  for (const scenario of SCENARIOS.values()) {
    test(scenario.name, async () => {
      const run = await runScenario(scenario, dns.address);
      runs.push(run);
      const d = run.diagnosis;
      const problems = d.findings.filter((f) => f.verdict === 'problem');
      assert.equal(d.winrmCommands, 1);
      assert.equal(d.findings.length, 30);
      const unknowns = EXPECTED_UNKNOWN[scenario.name];
      if (unknowns) {
        assert.deepEqual(problems.map((p) => `${p.check}: ${p.summary}`), []);
        const notOk = d.findings.filter((f) => f.verdict !== 'ok');
        assert.deepEqual(notOk.map((f) => `${f.check} ${f.verdict}`).sort(), unknowns.checks.map((c) => `${c} unknown`));
        for (const f of notOk) assert.match(f.summary, unknowns.why, f.check);
        assert.notEqual(d.verdict, 'ok');
        return;
      }
      if (scenario.cause.length === 0) {
        assert.deepEqual(problems.map((p) => `${p.check}: ${p.summary}`), []);
        const notOk = d.findings.filter((f) => f.verdict !== 'ok').map((f) => `${f.check} ${f.verdict}: ${f.summary}`);
        assert.deepEqual(notOk, []);
        assert.equal(d.verdict, 'ok');
        assert.equal(d.headline, 'work-pc looks healthy: RDP answers with TLS and a valid certificate.');
        return;
      }
      assert.equal(d.verdict, 'problem');
      const first = problems[0];
      assert.ok(first, 'a problem finding');
      assert.equal(first.check, scenario.cause[0], `first problem is ${first.check}: ${first.summary}`);
      assert.equal(d.headline, first.summary);
      const expected = EXPECTED_FIX[scenario.name] ?? [];
      assert.equal(first.fix?.id ?? null, expected[0], `fix of ${first.check}`);
      // Every planted cause is found, in the scenario's order, each with its fix.
      const order = problems.map((p) => p.check);
      let last = -1;
      scenario.cause.forEach((cause, i) => {
        const at = order.indexOf(cause);
        assert.ok(at > last, `${cause} listed after the previous cause (problems: ${order.join(', ')})`);
        last = at;
        if (expected[i] !== undefined) assert.equal(problems[at]?.fix?.id ?? null, expected[i], `fix of ${cause}`);
      });
      // Nothing proposes a fix on missing evidence; policy-managed findings never propose one.
      for (const f of d.findings) {
        if (f.verdict === 'unknown' || f.verdict === 'ok') assert.equal(f.fix, null, `${f.check} ${f.verdict} has no fix`);
        if (f.managedByPolicy) assert.equal(f.fix, null, `${f.check} is policy-managed`);
      }
    });
  }

  test('rdp-disabled-by-policy names Group Policy and proposes no local fix', async () => {
    const run = await runScenario(SCENARIOS.get('rdp-disabled-by-policy') as Scenario, dns.address);
    const f = run.diagnosis.findings[0];
    assert.equal(f?.check, 'rdp-enabled');
    assert.equal(f?.managedByPolicy, true);
    assert.equal(f?.fix, null);
    assert.match(f?.summary ?? '', /Group Policy/);
    assert.match(f?.explanation ?? '', /GPO/);
  });

  test('cert-expired names the expiry date and the 0x904 / 0x7 meaning', async () => {
    const run = await runScenario(SCENARIOS.get('cert-expired') as Scenario, dns.address);
    const f = run.diagnosis.findings[0];
    assert.match(f?.summary ?? '', /^The RDP certificate expired on \d{4}-\d{2}-\d{2}, so clients drop the TLS handshake \(0x904 \/ 0x7\)\.$/);
    const probe = run.diagnosis.findings.find((x) => x.check === 'net-rdp-probe');
    assert.equal(probe?.verdict, 'problem');
    assert.equal(probe?.fix, null);
  });

  test('dns-mismatch says where the name points and that RDP reaches another machine', async () => {
    const run = await runScenario(SCENARIOS.get('dns-mismatch') as Scenario, dns.address);
    assert.equal(run.diagnosis.findings[0]?.summary, 'work-pc.lab.test resolves to 127.0.0.1, but the host\'s own addresses are 10.99.0.5: RDP is reaching another machine.');
  });

  test('symptom checks point at the cause (termservice-stopped)', async () => {
    const run = await runScenario(SCENARIOS.get('termservice-stopped') as Scenario, dns.address);
    const tcp = run.diagnosis.findings.find((x) => x.check === 'net-tcp-reachability');
    assert.match(tcp?.summary ?? '', /refuses connections: TermService is stopped\.$/);
    const listener = run.diagnosis.findings.find((x) => x.check === 'listener-state');
    assert.equal(listener?.verdict, 'problem');
    assert.equal(listener?.fix, null, 'the cause\'s finding carries the fix');
    const deps = run.diagnosis.findings.find((x) => x.check === 'svc-rdp-dependencies');
    assert.equal(deps?.verdict, 'ok', 'UmRdpService stopped with TermService is expected');
  });
});
