import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { madeUpSid, SID } from '../../src/lab/model/accounts.ts';
import { deriveRdpState } from '../../src/lab/model/rdp-state.ts';
import { CHECK_IDS, loadScenarioFile, parseScenario, SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { okValue, runOne, type LooseOp } from '../support/lab-model.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { loadBuiltIns } from '../../src/lab/scenarios/registry.ts';

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

  it('every built-in is a document of built-in.yaml, in order, and each is a valid scenario file on its own', () => {
    const text = readFileSync(new URL('../../src/lab/scenarios/built-in.yaml', import.meta.url), 'utf8');
    const docs = parseAllDocuments(text);
    assert.ok(Array.isArray(docs));
    const names = docs.map((d) => (d.toJS() as { name: string }).name);
    assert.deepEqual([...SCENARIOS.keys()], names);
    for (const d of docs) {
      const fromFile = parseScenario(d.toString(), 'one.yaml');
      const builtIn = SCENARIOS.get(fromFile.name);
      assert.ok(builtIn);
      assert.deepEqual({ ...fromFile, apply: null }, { ...builtIn, apply: null }, fromFile.name);
      assert.ok(builtIn.description.length > 0, fromFile.name);
    }
    assert.deepEqual(SCENARIOS.get('cert-expired+firewall-blocked')?.cause, ['fw-rdp-rules', 'cert-rdp-store'], "the bases' causes, in order");
  });

  it('cert-expired: 2026-10-01 when that is 30 days back on the lab clock, else the first of a month at least 30 days back', () => {
    const notAfter = (now: string) => {
      const m = buildHost(['cert-expired'], { ...OPTS, now: new Date(now) });
      return m.certStores['remote desktop']?.certs.map((c) => [c.notBefore, c.notAfter]);
    };
    assert.deepEqual(notAfter('2027-01-15T12:00:00Z'), [['2026-04-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']]);
    assert.deepEqual(notAfter('2026-10-31T00:00:00Z'), [['2026-04-01T00:00:00.000Z', '2026-10-01T00:00:00.000Z']]);
    assert.deepEqual(notAfter('2026-10-30T23:59:59Z'), [['2026-03-01T00:00:00.000Z', '2026-09-01T00:00:00.000Z']]);
    assert.deepEqual(notAfter('2026-03-02T00:00:00Z'), [['2025-07-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z']]);
  });

  it('state: Stopped stops a service as Stop-Service -Force does: dependents first, and TermService ends the RDP sessions', () => {
    const s = parseScenario('name: t\nbase: connection-limit\nservices: { TermService: { state: Stopped } }', 't.yaml');
    const m = buildHost([s], OPTS);
    assert.equal(m.services['termservice']?.state, 'Stopped');
    assert.equal(m.services['umrdpservice']?.state, 'Stopped', 'its dependent UmRdpService stopped too');
    assert.equal(m.services['umrdpservice']?.processId, null);
    assert.ok(!m.sessions.some((x) => x.winStation.startsWith('RDP-Tcp#')), "alice's RDP session ended");
    assert.equal(buildHost([parseScenario('name: u\nservices: { UmRdpService: { state: Stopped } }', 'u.yaml')], OPTS).services['termservice']?.state, 'Running');
  });

  it('the format forms the built-ins need: key ACL edits, added firewall rules, hung namespaces, a made-up SID, local users removed', () => {
    const s = parseScenario(
      [
        'name: forms',
        "certificates: { 'Remote Desktop': { keyAcl: { set: [{ member: 'NT AUTHORITY\\NETWORK SERVICE', rights: 0x100080 }, { member: Administrators, rights: 0x120089 }, { member: 'CONTOSO\\bob', rights: 0x120089 }], remove: [S-1-5-18] } } }",
        "firewall: { add: [{ name: Block-3389, action: Block, protocol: TCP, localPorts: ['3389'] }] }",
        "hungCimNamespaces: ['root\\cimv2\\TerminalServices', 'ROOT\\CIMV2\\TERMINALSERVICES']",
        "events: [{ log: System, provider: X, id: 1, properties: [a, { sidOf: 'CONTOSO\\alice' }] }]",
        'groups: { S-1-5-32-555: { add: [CONTOSO\\bob], removeLocalUsers: true } }',
      ].join('\n'),
      'forms.yaml',
    );
    const m = buildHost([s], OPTS);
    const acl = Object.values(m.fileAcls).find((a) => a.path.includes('f686aace'));
    assert.deepEqual(acl?.access.map((a) => [a.sid, a.rights]), [[SID.administrators, 0x120089], [SID.networkService, 0x100080], [madeUpSid('CONTOSO', 'bob'), 0x120089]], 'set keeps each entry in its place; a new member is added at the end');
    assert.equal(deriveRdpState(m).certificate?.keyReadable, false);
    const rule = m.firewall.rules.find((r) => r.name === 'Block-3389');
    assert.deepEqual(rule, {
      name: 'Block-3389', group: null, enabled: true, direction: 'Inbound', action: 'Block', profiles: [], protocol: 'TCP', localPorts: ['3389'],
      remoteAddresses: ['Any'], policyStoreSourceType: 'Local', program: null, service: null,
    });
    assert.equal(deriveRdpState(m).firewallAllows, false);
    assert.deepEqual(m.hungCimNamespaces, ['root\\cimv2\\terminalservices']);
    assert.deepEqual(m.events.at(-1)?.properties, ['a', madeUpSid('CONTOSO', 'alice')]);
    assert.equal(buildHost(['connection-limit'], OPTS).events.at(-1)?.properties[3], madeUpSid('CONTOSO', 'alice'));
    assert.deepEqual(m.groups[SID.remoteDesktopUsers]?.members.map((x) => x.name), ['CONTOSO\\bob']);
    assert.throws(() => buildHost([parseScenario('name: d\nfirewall: { add: [{ name: RemoteDesktop-UserMode-In-TCP, action: Allow }] }', 'd.yaml')], OPTS), /d\.yaml: firewall\.add: a rule named RemoteDesktop-UserMode-In-TCP exists already/);
    assert.throws(() => parseScenario("name: e\ncertificates: { 'Remote Desktop': { expiredAt: { date: '2026-10-01' } } }", 'e.yaml'), /e\.yaml: invalid scenario file:\n {2}certificates\.Remote Desktop\.expiredAt/);
    assert.throws(() => buildHost([parseScenario("name: n\nevents: [{ log: System, provider: X, id: 1, properties: [{ sidOf: nosuchlocaluser }] }]", 'n.yaml')], OPTS), /n\.yaml: cannot resolve nosuchlocaluser/);
  });

  it('an error in the built-ins names the file and the scenario', () => {
    const ok = 'name: base-one\ndescription: d\nfix: f\nbase: []\n';
    const load = (...docs: string[]) => loadBuiltIns([ok, ...docs].join('---\n'), '/x/built-in.yaml');
    assert.deepEqual([...load('name: two\ndescription: d\nfix: f\nbase: base-one\n').keys()], ['base-one', 'two']);
    assert.throws(() => load('name: broken\ndescription: d\nfix: f\nservices: { TermService: { state: Sleeping } }\n'), /^Error: \/x\/built-in\.yaml: scenario 'broken': invalid scenario file:\n {2}services\.TermService\.state/);
    assert.throws(() => load('name: early\ndescription: d\nfix: f\nbase: later\n', 'name: later\ndescription: d\nfix: f\n'), /\/x\/built-in\.yaml: scenario 'early': base: unknown scenario 'later' \(known: base-one\)/);
    assert.throws(() => load('name: nofix\ndescription: d\n'), /\/x\/built-in\.yaml: scenario 'nofix': a built-in needs a description and a fix/);
    assert.throws(() => load('name: base-one\ndescription: d\nfix: f\n'), /\/x\/built-in\.yaml: scenario 'base-one': the name is used twice/);
    assert.throws(() => load('name: [unclosed\n'), /\/x\/built-in\.yaml: scenario #2: not valid YAML/);
    assert.throws(() => load('description: no name\nfix: f\n'), /\/x\/built-in\.yaml: scenario #2: invalid scenario file:\n {2}name/);
    const late = load('name: late\ndescription: d\nfix: f\nbase: base-one\nservices: { NoSuchSvc: { state: Stopped } }\n').get('late');
    assert.ok(late);
    assert.throws(() => buildHost([late], OPTS), /\/x\/built-in\.yaml: scenario 'late': unknown service NoSuchSvc/);
  });
});
