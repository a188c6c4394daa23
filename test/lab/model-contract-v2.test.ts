// Contract v2 semantics of the lab's executePlan, which the PowerShell engine must match (the
// differential test compares codes, values, `previous` and `current`): write plans stop at the first
// failure (NotRun), check mode, target keys, hung CIM namespaces and the plan budget, fw.rules by
// port, cert.list as HostCertificate with the key file ACL, group.members with the machine SID, and
// the revert task's restore list.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { ReadValue, type OpResult } from '../../src/host/operations.ts';
import { executePlanTimed } from '../../src/lab/model/execute-plan.ts';
import { deriveRdpState } from '../../src/lab/model/rdp-state.ts';
import { rdpKeyFilePath } from '../../src/lab/model/rdp-cert.ts';
import { runDueTasks } from '../../src/lab/model/tasks.ts';
import { okValue, planOf, runOps, type LooseOp } from '../support/lab-model.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';

const NOW = new Date();
const OPTS = { computerName: 'lab-host1', password: 'P@ssw0rd!', now: NOW };
const build = (...names: string[]) => buildHost(names.length ? names : ['healthy'], OPTS);
const TS = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server';
const RDP = `${TS}\\WinStations\\RDP-Tcp`;
const TSNS = 'root\\cimv2\\TerminalServices';
const RULES = ['RemoteDesktop-UserMode-In-TCP', 'RemoteDesktop-UserMode-In-UDP'];
const err = (r: OpResult | undefined): { code: string; message: string } => {
  assert.ok(r && !r.ok, `expected a failure, got ${JSON.stringify(r)}`);
  return r.error;
};

describe('write plans stop at the first failed op; read plans do not', () => {
  it('later ops of a write plan report NotRun naming the failed op, and are not run', () => {
    const m = build('rdp-disabled');
    const r = runOps(m, 'write', [
      { id: 'a', op: 'reg.set', path: RDP, name: 'PortNumber', kind: 'DWord', data: 3390 },
      { id: 'b', op: 'reg.set', path: TS, name: 'fDenyTSConnections', kind: 'DWord', data: 0, expect: { exists: true, kind: 'DWord', data: 0 } },
      { id: 'c', op: 'service.control', name: 'TermService', action: 'stop' },
    ], NOW);
    assert.equal(r.results[0]?.ok, true);
    assert.equal(err(r.results[1]).code, 'PreconditionFailed');
    assert.deepEqual(err(r.results[2]), { code: 'NotRun', message: 'not run: b failed first' });
    assert.equal(m.services['termservice']?.state, 'Running', 'the op after the failure did not run');
    assert.equal(r.check, false);
  });

  it('a read plan runs every op after a failure', () => {
    const r = runOps(build(), 'read', [{ op: 'group.members', sid: 'S-1-5-32-999' }, { op: 'os.info' }], NOW);
    assert.equal(err(r.results[0]).code, 'NotFound');
    assert.equal(r.results[1]?.ok, true);
  });
});

/** Write ops on hosts where they change something (with a real run to compare check mode with). */
const CHECKED: Array<[scenario: string, op: LooseOp]> = [
  ['rdp-disabled', { op: 'reg.set', path: TS, name: 'fDenyTSConnections', kind: 'DWord', data: 0, expect: { exists: true, kind: 'DWord', data: 1 } }],
  ['rdp-disabled-by-policy', { op: 'reg.delete', path: 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services', name: 'fDenyTSConnections' }],
  ['termservice-stopped', { op: 'service.control', name: 'TermService', action: 'start', expectState: 'Stopped' }],
  ['healthy', { op: 'service.control', name: 'SessionEnv', action: 'stop', expectState: 'Running' }],
  ['svc-dependency-stopped', { op: 'service.startType', name: 'SessionEnv', startType: 'Manual', expectStartType: 'Disabled' }],
  ['firewall-blocked', { op: 'fw.enable', names: RULES, enabled: true, expect: { [RULES[0]!]: false } }],
  ['healthy', { op: 'cert.move', fromStore: 'Remote Desktop', toStore: 'RdpMedicBackup', thumbprint: '$RDP' }],
  ['healthy', { op: 'cert.remove', store: 'Remote Desktop', thumbprint: '$RDP' }],
  ['user-not-allowed', { op: 'group.add', groupSid: 'S-1-5-32-555', member: 'LAB-HOST1\\rdpuser' }],
  ['healthy', { op: 'group.remove', groupSid: 'S-1-5-32-555', member: 'rdpuser' }],
  ['security-layer-mismatch', { op: 'cim.invoke', namespace: TSNS, className: 'Win32_TSGeneralSetting', filter: "TerminalName='RDP-Tcp'", method: 'SetSecurityLayer', args: { SecurityLayer: 2 }, expect: { SecurityLayer: 0 }, capture: ['SecurityLayer'] }],
  ['healthy', { op: 'task.scheduleRevert', name: 'revert-x', afterMinutes: 5, restore: [{ path: RDP, name: 'UserAuthentication', wrote: { kind: 'DWord', data: 0 }, previous: { exists: true, kind: 'DWord', data: 1 } }] }],
  ['healthy', { op: 'task.cancel', name: 'nothing-here' }],
];

const withThumbprint = (op: LooseOp, m: ReturnType<typeof build>): LooseOp =>
  op['thumbprint'] === '$RDP' ? { ...op, thumbprint: m.certStores['remote desktop']?.certs[0]?.thumbprint } : op;

describe('check mode', () => {
  for (const [scenario, op] of CHECKED) {
    it(`${String(op['op'])} on ${scenario}: changes nothing; previous as a real run's, value the state it would leave`, () => {
      const m = build(scenario);
      const before = structuredClone(m);
      const checked = runOps(m, 'write', [withThumbprint(op, m)], NOW, { check: true });
      assert.equal(checked.check, true);
      assert.deepEqual(m, before, 'check mode changed nothing');
      const c = okValue(checked.results[0] as OpResult);
      const real = okValue(runOps(m, 'write', [withThumbprint(op, m)], NOW).results[0] as OpResult);
      assert.deepEqual(c.previous, real.previous, 'previous is the real undo record');
      if (op['op'] === 'cim.invoke') assert.deepEqual(c.value, { returnValue: null });
      else if (op['op'] === 'fw.enable') assert.deepEqual(c.value, Object.fromEntries(RULES.map((n) => [n, true])));
      else assert.deepEqual(c.value, real.value, 'value is the state a real run leaves');
    });
  }

  it('a failing precondition fails as in a real run and stops the plan; nothing changes', () => {
    const m = build('rdp-disabled');
    const before = structuredClone(m);
    const r = runOps(m, 'write', [
      { id: 'a', op: 'reg.set', path: TS, name: 'fDenyTSConnections', kind: 'DWord', data: 0, expect: { exists: true, kind: 'DWord', data: 0 } },
      { id: 'b', op: 'service.control', name: 'TermService', action: 'stop' },
    ], NOW, { check: true });
    const e = err(r.results[0]) as { code: string; current?: unknown };
    assert.equal(e.code, 'PreconditionFailed');
    assert.deepEqual(e.current, { path: TS, name: 'fDenyTSConnections', exists: true, kind: 'DWord', data: 1 });
    assert.equal(err(r.results[1]).code, 'NotRun');
    assert.deepEqual(m, before);
    assert.equal(err(runOps(m, 'write', [{ op: 'service.control', name: 'NoSuch', action: 'start' }], NOW, { check: true }).results[0]).code, 'NotFound');
  });

  it('an op whose object an earlier op already targets reads nothing: predicted value, no previous', () => {
    const m = build();
    const r = runOps(m, 'write', [
      { id: 'a', op: 'reg.set', path: RDP, name: 'PortNumber', kind: 'DWord', data: 3390, expect: { exists: true, kind: 'DWord', data: 3389 } },
      // Its expectation is the first op's result, not the current state: not evaluated.
      { id: 'b', op: 'reg.set', path: RDP.toUpperCase(), name: 'portnumber', kind: 'DWord', data: 3391, expect: { exists: true, kind: 'DWord', data: 3390 } },
      { id: 'c', op: 'cert.move', fromStore: 'Remote Desktop', toStore: 'RdpMedicBackup', thumbprint: m.certStores['remote desktop']?.certs[0]?.thumbprint },
      { id: 'd', op: 'cert.move', fromStore: 'RdpMedicBackup', toStore: 'Remote Desktop', thumbprint: ` ${m.certStores['remote desktop']?.certs[0]?.thumbprint.toLowerCase()}` },
    ], NOW, { check: true });
    assert.ok(r.results.every((x) => x.ok), JSON.stringify(r.results));
    assert.deepEqual(r.results[1], { id: 'b', ok: true, value: { path: RDP.toUpperCase(), name: 'portnumber', exists: true, kind: 'DWord', data: 3391 } });
    assert.deepEqual(r.results[3], { id: 'd', ok: true, value: null });
    assert.ok('previous' in (r.results[0] as object));
  });

  it('a restart (stop, start, start the dependent the stop stopped) checks cleanly', () => {
    const m = build();
    const r = runOps(m, 'write', [
      { id: 'stop', op: 'service.control', name: 'TermService', action: 'stop', expectState: 'Running' },
      { id: 'start', op: 'service.control', name: 'TermService', action: 'start', expectState: 'Stopped' },
      { id: 'dep', op: 'service.control', name: 'UmRdpService', action: 'start', expectState: 'Stopped' },
    ], NOW, { check: true });
    assert.deepEqual(r.results, [
      { id: 'stop', ok: true, value: { state: 'Stopped' }, previous: { state: 'Running' } },
      { id: 'start', ok: true, value: { state: 'Running' } },
      { id: 'dep', ok: true, value: { state: 'Running' } },
    ]);
  });

  it('a read plan ignores check: it runs and reports check false', () => {
    const r = runOps(build(), 'read', [{ op: 'os.info' }], NOW, { check: true });
    assert.equal(r.check, false);
    assert.equal(r.results[0]?.ok, true);
  });
});

describe('a hung CIM provider and the plan budget', () => {
  const tsQuery = (id: string): LooseOp => ({ id, op: 'cim.query', namespace: TSNS, className: 'Win32_TSGeneralSetting' });

  it('the first query in a hung namespace times out after cimTimeoutSec, later ones are skipped at once; other namespaces answer', () => {
    const m = build('wmi-hung');
    const { result, hungSeconds } = executePlanTimed(m, planOf('read', [
      tsQuery('a'),
      { id: 'b', op: 'cim.query', namespace: 'root\\cimv2', className: 'Win32_OperatingSystem' },
      { id: 'c', op: 'cim.query', namespace: 'ROOT/cimv2/TerminalServices', className: 'Win32_TerminalServiceSetting' },
    ], { limits: { cimTimeoutSec: 2 } }), NOW);
    assert.deepEqual(err(result.results[0]), { code: 'Timeout', message: `${TSNS} did not answer within 2 s` });
    assert.equal(result.results[1]?.ok, true);
    assert.deepEqual(err(result.results[2]), { code: 'Timeout', message: 'skipped: ROOT/cimv2/TerminalServices did not answer a previous query within 2 s' });
    assert.equal(hungSeconds, 2);
    assert.equal(executePlanTimed(build(), planOf('read', [tsQuery('a')]), NOW).hungSeconds, 0);
  });

  it('once the modeled time reaches budgetSec, ops not started report Timeout', () => {
    const m = build('wmi-hung');
    const { result, hungSeconds } = executePlanTimed(m, planOf('read', [tsQuery('a'), { id: 'b', op: 'os.info' }], { limits: { cimTimeoutSec: 5, budgetSec: 5 } }), NOW);
    assert.equal(err(result.results[0]).code, 'Timeout');
    assert.deepEqual(err(result.results[1]), { code: 'Timeout', message: "not run: the plan's 5 s budget was spent" });
    assert.equal(hungSeconds, 5);
  });

  it('a cim.invoke in a hung namespace times out and stops a write plan', () => {
    const m = build('security-layer-mismatch', 'wmi-hung');
    const before = structuredClone(m);
    const r = runOps(m, 'write', [
      { id: 'inv', op: 'cim.invoke', namespace: TSNS, className: 'Win32_TSGeneralSetting', method: 'SetSecurityLayer', args: { SecurityLayer: 2 } },
      { id: 'reg', op: 'reg.set', path: RDP, name: 'SecurityLayer', kind: 'DWord', data: 2 },
    ], NOW, { limits: { cimTimeoutSec: 1 } });
    assert.equal(err(r.results[0]).code, 'Timeout');
    assert.deepEqual(err(r.results[1]), { code: 'NotRun', message: 'not run: inv failed first' });
    assert.deepEqual(m, before);
  });
});

describe('fw.rules', () => {
  const names = (r: OpResult | undefined): string[] => (okValue(r as OpResult).value as Array<{ name: string }>).map((x) => x.name);
  const m = build();
  m.firewall.rules.push(
    { name: 'a-range', group: null, enabled: true, direction: 'Inbound', action: 'Allow', profiles: [], protocol: 'TCP', localPorts: ['3380-3390'], remoteAddresses: ['Any'], policyStoreSourceType: 'Local', program: null, service: null },
    { name: 'B-any-proto', group: null, enabled: false, direction: 'Inbound', action: 'Block', profiles: [], protocol: 'Any', localPorts: ['3389'], remoteAddresses: ['Any'], policyStoreSourceType: 'Local', program: null, service: null },
    { name: 'c-any-port', group: null, enabled: true, direction: 'Inbound', action: 'Block', profiles: [], protocol: 'TCP', localPorts: ['Any'], remoteAddresses: ['Any'], policyStoreSourceType: 'Local', program: null, service: null },
    { name: 'd-udp', group: null, enabled: true, direction: 'Inbound', action: 'Allow', profiles: [], protocol: 'UDP', localPorts: ['3389'], remoteAddresses: ['Any'], policyStoreSourceType: 'Local', program: null, service: null },
    { name: 'e-outbound', group: null, enabled: true, direction: 'Outbound', action: 'Allow', profiles: [], protocol: 'TCP', localPorts: ['3389'], remoteAddresses: ['Any'], policyStoreSourceType: 'Local', program: null, service: null },
  );

  it('the union of group, names and port rules, deduplicated, sorted by name ordinal', () => {
    const r = runOps(m, 'read', [
      { op: 'fw.rules', group: '@FirewallAPI.dll,-28752', port: 3389, names: ['WINRM-HTTP-In-TCP', 'RemoteDesktop-UserMode-In-TCP'] },
      { op: 'fw.rules', port: 3385 },
      { op: 'fw.rules' },
    ], NOW);
    // Ordinal: upper-case letters sort before lower-case ones.
    assert.deepEqual(names(r.results[0]), ['B-any-proto', 'RemoteDesktop-Shadow-In-TCP', 'RemoteDesktop-UserMode-In-TCP', 'RemoteDesktop-UserMode-In-UDP', 'WINRM-HTTP-In-TCP', 'a-range']);
    assert.deepEqual(names(r.results[1]), ['a-range']);
    assert.deepEqual(names(r.results[2]), [...m.firewall.rules.map((x) => x.name)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });
});

describe('certificates, group members and the key file ACL', () => {
  it('cert.list is HostCertificate: the DER, the key container and its key file with the default ACL', () => {
    const m = build();
    const [c] = okValue(runOps(m, 'read', [{ op: 'cert.list', store: 'Remote Desktop' }], NOW).results[0] as OpResult).value as Array<Record<string, unknown>>;
    const modelCert = m.certStores['remote desktop']?.certs[0];
    assert.ok(c && modelCert);
    assert.equal(new X509Certificate(Buffer.from(String(c['der']), 'base64')).fingerprint.replace(/:/g, ''), modelCert.thumbprint);
    assert.deepEqual({ ...c, der: undefined }, {
      store: 'Remote Desktop', der: undefined, hasPrivateKey: true, keyContainer: modelCert.keyContainer,
      keyFile: {
        path: `%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys\\${modelCert.keyContainer}`, exists: true, ownerSid: 'S-1-5-32-544',
        access: [
          { sid: 'S-1-5-18', rights: 2032127, type: 'Allow', inherited: false },
          { sid: 'S-1-5-32-544', rights: 2032127, type: 'Allow', inherited: false },
          { sid: 'S-1-5-20', rights: 0x120089, type: 'Allow', inherited: false },
        ],
      },
    });
    const parsed = ReadValue['cert.list'].parse([c]);
    assert.equal(parsed[0]?.thumbprint, modelCert.thumbprint);
    assert.equal(parsed[0]?.subject, 'CN=LAB-HOST1');
  });

  it('the key file is looked up in MachineKeys, then Crypto\\Keys; neither: keyFile null', () => {
    const m = build();
    const path = rdpKeyFilePath(m);
    const acl = m.fileAcls[path.toLowerCase()];
    assert.ok(acl);
    delete m.fileAcls[path.toLowerCase()];
    const cng = path.replace('\\RSA\\MachineKeys\\', '\\Keys\\');
    m.fileAcls[cng.toLowerCase()] = { ...acl, path: cng };
    const keyFileOf = () => (okValue(runOps(m, 'read', [{ op: 'cert.list', store: 'Remote Desktop' }], NOW).results[0] as OpResult).value as Array<{ keyFile: { path: string } | null }>)[0]?.keyFile ?? null;
    assert.equal(keyFileOf()?.path, cng);
    delete m.fileAcls[cng.toLowerCase()];
    assert.equal(keyFileOf(), null);
    assert.equal(deriveRdpState(m).certificate?.keyReadable, false, 'no key file: TermService cannot open the key');
  });

  it('TermService reads the key by NETWORK SERVICE\'s entries only: Allow with ReadData and no Deny with it', () => {
    const judge = (edit: (access: Array<{ sid: string; rights: number; type: 'Allow' | 'Deny'; inherited: boolean }>) => void): boolean | undefined => {
      const m = build();
      const acl = m.fileAcls[rdpKeyFilePath(m).toLowerCase()];
      assert.ok(acl);
      edit(acl.access);
      return deriveRdpState(m).certificate?.keyReadable;
    };
    assert.equal(judge(() => {}), true);
    assert.equal(judge((a) => a.splice(1, 1)), true, 'Administrators removed');
    assert.equal(judge((a) => a.push({ sid: 'S-1-5-20', rights: 0x1, type: 'Deny', inherited: true })), false, 'a Deny with ReadData wins');
    assert.equal(judge((a) => a.push({ sid: 'S-1-5-20', rights: 0x2, type: 'Deny', inherited: false })), true, 'a Deny without ReadData does not matter');
    assert.equal(judge((a) => { a[2]!.rights = 0x100080; }), false, 'an entry without ReadData');
    assert.equal(deriveRdpState(build('cert-key-acl-network-service')).certificate?.keyReadable, false);
    assert.equal(deriveRdpState(build('cert-key-acl-admins-removed')).certificate?.keyReadable, true);
  });

  it('group.members carries the machine SID; the contract fills principal sources from SIDs', () => {
    const m = build();
    const v = okValue(runOps(m, 'read', [{ op: 'group.members', sid: 'S-1-5-32-555' }], NOW).results[0] as OpResult).value as { machineSid: string; members: Array<{ sid: string; principalSource: string | null }> };
    assert.equal(v.machineSid, m.machineSid);
    const parsed = ReadValue['group.members'].parse({ ...v, members: v.members.map((x) => ({ ...x, principalSource: null })) });
    assert.deepEqual(parsed.map((x) => x.principalSource), ['Local']);
  });
});

describe('the revert task restores only values that still hold what the fix wrote', () => {
  it('put back, deleted when it did not exist, or left alone when someone changed it', () => {
    const m = build();
    const NEW = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services';
    runOps(m, 'write', [
      { op: 'reg.set', path: RDP, name: 'UserAuthentication', kind: 'DWord', data: 0 },
      { op: 'reg.set', path: RDP, name: 'SecurityLayer', kind: 'DWord', data: 0 },
      { op: 'reg.set', path: NEW, name: 'UserAuthentication', kind: 'DWord', data: 0 },
      {
        op: 'task.scheduleRevert', name: 'revert-3', afterMinutes: 10, restore: [
          { path: RDP, name: 'UserAuthentication', wrote: { kind: 'DWord', data: 0 }, previous: { exists: true, kind: 'DWord', data: 1 } },
          { path: RDP, name: 'SecurityLayer', wrote: { kind: 'DWord', data: 0 }, previous: { exists: true, kind: 'DWord', data: 2 } },
          { path: NEW, name: 'UserAuthentication', wrote: { kind: 'DWord', data: 0 }, previous: { exists: false, kind: null, data: null } },
        ],
      },
    ], NOW).results.forEach((r) => okValue(r));
    // Someone changes SecurityLayer after the fix: the task must leave it.
    runOps(m, 'write', [{ op: 'reg.set', path: RDP, name: 'SecurityLayer', kind: 'DWord', data: 1 }], NOW).results.forEach((r) => okValue(r));
    const runs = runDueTasks(m, new Date(NOW.getTime() + 11 * 60_000));
    assert.deepEqual(runs.map((x) => x.restored.map((y) => [y.name, y.restored])), [[['UserAuthentication', true], ['SecurityLayer', false], ['UserAuthentication', true]]]);
    const regs = runOps(m, 'read', [
      { op: 'reg.value', path: RDP, name: 'UserAuthentication' },
      { op: 'reg.value', path: RDP, name: 'SecurityLayer' },
      { op: 'reg.value', path: NEW, name: 'UserAuthentication' },
    ], NOW).results.map((r) => okValue(r).value as { exists: boolean; data: unknown });
    assert.deepEqual(regs.map((x) => [x.exists, x.data]), [[true, 1], [true, 1], [false, null]]);
    assert.deepEqual(m.tasks, {});
  });
});
