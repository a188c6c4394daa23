import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SID } from '../../src/lab/model/accounts.ts';
import { deriveRdpState } from '../../src/lab/model/rdp-state.ts';
import { CHECK_IDS, loadScenarioFile, parseScenario, SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { okValue, runOne, type LooseOp } from '../support/lab-model.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';

const NOW = new Date();
const OPTS = { computerName: 'lab-host1', password: 'P@ssw0rd!', now: NOW };
const build = (...names: string[]) => buildHost(names.length ? names : ['healthy'], OPTS);
const one = (m: ReturnType<typeof build>, op: LooseOp) => runOne(m, op, NOW);

const REQUIRED = [
  'healthy', 'rdp-disabled', 'rdp-disabled-by-policy', 'termservice-stopped', 'listener-down', 'port-changed', 'firewall-blocked',
  'cert-expired', 'cert-key-unreadable', 'tls-disabled', 'security-layer-mismatch', 'user-not-allowed', 'connection-limit',
  'dns-mismatch', 'svc-dependency-stopped', 'cert-expired+firewall-blocked',
];

const certNotAfter = (pem: string): number => Date.parse(new X509Certificate(pem).validTo);

describe('scenarios', () => {
  it('registers every required scenario with a known cause and a documented fix', () => {
    for (const name of REQUIRED) {
      const s = SCENARIOS.get(name);
      assert.ok(s, name);
      for (const c of s.cause) assert.ok((CHECK_IDS as readonly string[]).includes(c), `${name}: ${c}`);
      assert.ok(s.fix.length > 0);
      assert.equal(s.cause.length === 0, name === 'healthy');
    }
  });

  it('healthy: listening on 3389, firewall open, TLS + NLA, valid certificate with a readable key', () => {
    const st = deriveRdpState(build('healthy'));
    assert.equal(st.listening, true);
    assert.equal(st.portNumber, 3389);
    assert.equal(st.firewallAllows, true);
    assert.equal(st.securityLayer, 2);
    assert.equal(st.nla, true);
    assert.deepEqual(st.tls, { tls10: true, tls11: true, tls12: true });
    assert.ok(st.certificate?.keyReadable);
    const x = new X509Certificate(st.certificate.certPem);
    assert.ok(Date.parse(x.validFrom) < NOW.getTime() && NOW.getTime() < Date.parse(x.validTo));
    assert.equal(x.subject, 'CN=LAB-HOST1');
    assert.ok(x.checkPrivateKey(createPrivateKey(st.certificate.keyPem)));
  });

  const expectState: Record<string, (m: ReturnType<typeof build>) => void> = {
    'rdp-disabled': (m) => assert.equal(deriveRdpState(m).listening, false),
    'rdp-disabled-by-policy': (m) => assert.equal(deriveRdpState(m).listening, false),
    'termservice-stopped': (m) => {
      assert.equal(deriveRdpState(m).listening, false);
      assert.equal(m.services['termservice']?.state, 'Stopped');
      assert.equal(m.services['termservice']?.startType, 'Manual');
    },
    'listener-down': (m) => assert.equal(deriveRdpState(m).listening, false),
    'port-changed': (m) => {
      const st = deriveRdpState(m);
      assert.equal(st.portNumber, 3390);
      assert.equal(st.listening, true);
      assert.equal(st.firewallAllows, false);
    },
    'firewall-blocked': (m) => assert.equal(deriveRdpState(m).firewallAllows, false),
    'cert-expired': (m) => {
      const c = deriveRdpState(m).certificate;
      assert.ok(c);
      assert.ok(certNotAfter(c.certPem) <= NOW.getTime() - 30 * 86_400_000);
    },
    'cert-key-unreadable': (m) => {
      assert.equal(deriveRdpState(m).certificate?.keyReadable, false);
      const acls = Object.values(m.fileAcls).filter((a) => a.path.includes('f686aace'));
      assert.equal(acls.length, 1);
      assert.ok(!acls[0]?.access.some((a) => a.sid === SID.networkService));
      assert.ok(m.events.some((e) => e.provider === 'Schannel' && e.id === 36870));
    },
    'tls-disabled': (m) => assert.deepEqual(deriveRdpState(m).tls, { tls10: false, tls11: false, tls12: false }),
    'security-layer-mismatch': (m) => {
      const st = deriveRdpState(m);
      assert.equal(st.securityLayer, 0);
      assert.equal(st.nla, true);
    },
    'user-not-allowed': (m) => assert.ok(!m.groups[SID.remoteDesktopUsers]?.members.some((x) => x.name?.endsWith('\\rdpuser'))),
    'connection-limit': (m) => {
      const r = okValue(one(m, { op: 'reg.value', path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp', name: 'MaxInstanceCount' }));
      assert.equal((r.value as { data: number }).data, 1);
      assert.ok(m.sessions.some((s) => s.state === 0 && s.user === 'CONTOSO\\alice'));
    },
    'dns-mismatch': (m) => assert.deepEqual(m.ipAddresses.map((a) => a.address), ['10.99.0.5']),
    'svc-dependency-stopped': (m) => {
      assert.equal(m.services['sessionenv']?.state, 'Stopped');
      assert.equal(m.services['sessionenv']?.startType, 'Disabled');
    },
    'cert-key-acl-network-service': (m) => {
      assert.equal(deriveRdpState(m).certificate?.keyReadable, false);
      const acl = Object.values(m.fileAcls).find((a) => a.path.includes('f686aace'));
      assert.ok(acl?.access.some((a) => a.sid === SID.networkService && (a.rights & 1) === 0), 'NETWORK SERVICE keeps an entry without ReadData');
      assert.ok(acl?.access.some((a) => a.sid === SID.administrators && a.rights === 2032127), 'Administrators intact');
    },
    'cert-key-acl-admins-removed': (m) => {
      assert.equal(deriveRdpState(m).certificate?.keyReadable, true);
      assert.ok(!Object.values(m.fileAcls).find((a) => a.path.includes('f686aace'))?.access.some((a) => a.sid === SID.administrators));
    },
    'fw-custom-allow': (m) => {
      assert.equal(deriveRdpState(m).firewallAllows, true);
      assert.ok(m.firewall.rules.filter((r) => r.group === '@FirewallAPI.dll,-28752').every((r) => !r.enabled));
    },
    'fw-block-rule': (m) => {
      assert.equal(deriveRdpState(m).firewallAllows, false);
      assert.ok(m.firewall.rules.some((r) => r.group === '@FirewallAPI.dll,-28752' && r.enabled), 'the built-in allow rules are still on');
    },
    'wmi-hung': (m) => {
      assert.deepEqual(m.hungCimNamespaces, ['root\\cimv2\\terminalservices']);
      const r = one(m, { op: 'cim.query', namespace: 'root\\cimv2\\TerminalServices', className: 'Win32_TSGeneralSetting' });
      assert.ok(!r.ok && r.error.code === 'Timeout');
      assert.equal(deriveRdpState(m).listening, true, 'RDP itself works');
    },
    'cert-expired+firewall-blocked': (m) => {
      const st = deriveRdpState(m);
      assert.equal(st.firewallAllows, false);
      assert.ok(st.certificate && certNotAfter(st.certificate.certPem) < NOW.getTime());
    },
  };

  for (const [name, check] of Object.entries(expectState)) {
    it(`${name}: deriveRdpState/model reflects the planted cause`, () => check(build(name)));
  }

  it('buildHost applies several scenarios in order', () => {
    const st = deriveRdpState(buildHost(['firewall-blocked', 'tls-disabled'], OPTS));
    assert.equal(st.firewallAllows, false);
    assert.equal(st.tls.tls12, false);
    assert.throws(() => buildHost(['no-such-thing'], OPTS), /unknown scenario 'no-such-thing'/);
  });

  it('a policy value wins over the local one (SecurityLayer, UserAuthentication)', () => {
    const m = build('healthy');
    one(m, { op: 'reg.set', path: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services', name: 'UserAuthentication', kind: 'DWord', data: 0 });
    one(m, { op: 'reg.set', path: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services', name: 'SecurityLayer', kind: 'DWord', data: 1 });
    const st = deriveRdpState(m);
    assert.equal(st.nla, false);
    assert.equal(st.securityLayer, 1);
  });

  it('loads a YAML scenario file (patch on a base) and reports invalid files clearly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-scn-'));
    const file = join(dir, 'custom.yaml');
    writeFileSync(
      file,
      [
        'name: custom',
        'description: port moved and rule aligned',
        'base: healthy',
        'cause: listener-port',
        'registry:',
        '  set:',
        "    - { path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp', name: PortNumber, kind: DWord, data: 3391 }",
        'firewall:',
        '  rules:',
        "    RemoteDesktop-UserMode-In-TCP: { localPorts: ['3391'] }",
        'services:',
        '  UmRdpService: { state: Stopped }',
        'ipAddresses: [10.1.2.3]',
      ].join('\n'),
    );
    const s = loadScenarioFile(file);
    assert.equal(s.name, 'custom');
    assert.deepEqual(s.cause, ['listener-port']);
    const m = buildHost([s], OPTS);
    const st = deriveRdpState(m);
    assert.equal(st.portNumber, 3391);
    assert.equal(st.firewallAllows, true);
    assert.equal(m.services['umrdpservice']?.state, 'Stopped');
    const unreadable = buildHost([parseScenario("name: k\ncertificates: { 'Remote Desktop': { keyReadable: false } }", 'k.yaml')], OPTS);
    assert.equal(deriveRdpState(unreadable).certificate?.keyReadable, false, 'keyReadable: false edits the key file ACL');
    assert.throws(() => parseScenario('name: x\nservices: { TermService: { state: Sleeping } }', 'bad.yaml'), /bad\.yaml: invalid scenario file:\n {2}services\.TermService\.state/);
    assert.throws(() => parseScenario('{"name":"x","base":"nope"}', 'bad.json'), /bad\.json: base: unknown scenario 'nope'/);
    assert.throws(() => buildHost([parseScenario('name: x\nservices: { NoSuchSvc: { state: Stopped } }', 'x.yaml')], OPTS), /unknown service NoSuchSvc/);
  });
});

