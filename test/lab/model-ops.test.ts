import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadValue, WritePrevious, type ReadOpName, type RegistryValueState } from '../../src/host/operations.ts';
import { deriveRdpState } from '../../src/lab/model/rdp-state.ts';
import { okValue, runOne, runOps, type LooseOp } from '../support/lab-model.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';

const NOW = new Date();
const OPTS = { computerName: 'lab-host1', password: 'P@ssw0rd!', now: NOW };
const build = (...names: string[]) => buildHost(names.length ? names : ['healthy'], OPTS);
const run = (m: ReturnType<typeof build>, mode: 'read' | 'write', ops: LooseOp[]) => runOps(m, mode, ops, NOW);
const one = (m: ReturnType<typeof build>, op: LooseOp) => runOne(m, op, NOW);

const TS = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server';
const RDP = `${TS}\\WinStations\\RDP-Tcp`;
const POL = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services';
const TSNS = 'root\\cimv2\\TerminalServices';
const RDP_RULES = ['RemoteDesktop-UserMode-In-TCP', 'RemoteDesktop-UserMode-In-UDP'];

const READS: Array<Record<string, unknown> & { op: ReadOpName }> = [
  { op: 'reg.value', path: RDP, name: 'PortNumber' },
  { op: 'reg.value', path: POL, name: 'fDenyTSConnections' },
  { op: 'reg.value', path: 'HKLM:\\SOFTWARE\\NoSuchKey', name: 'x' },
  { op: 'reg.key', path: `${TS}\\WinStations` },
  { op: 'reg.key', path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\TermService' },
  { op: 'reg.key', path: 'HKLM:\\SOFTWARE\\NoSuchKey' },
  { op: 'service.get', name: 'TermService' },
  { op: 'service.get', name: 'NoSuchService' },
  { op: 'cim.query', namespace: TSNS, className: 'Win32_TerminalServiceSetting' },
  { op: 'cim.query', namespace: TSNS, className: 'Win32_TSGeneralSetting', filter: "TerminalName='RDP-tcp'" },
  { op: 'cim.query', namespace: 'root\\cimv2', className: 'Win32_ComputerSystem' },
  { op: 'cim.query', namespace: 'root\\cimv2', className: 'Win32_OperatingSystem', properties: ['Caption', 'BuildNumber'] },
  { op: 'cim.query', namespace: 'root\\cimv2', className: 'Win32_Service', filter: "Name='TermService'" },
  { op: 'cert.list', store: 'Remote Desktop' },
  { op: 'fw.rules', group: '@FirewallAPI.dll,-28752' },
  { op: 'fw.rules', names: ['RemoteDesktop-UserMode-In-TCP'] },
  { op: 'fw.profiles' },
  { op: 'group.members', sid: 'S-1-5-32-555' },
  { op: 'tcp.listeners' },
  { op: 'tcp.listeners', port: 3389 },
  { op: 'ip.addresses' },
  { op: 'events.query', log: 'System', providers: ['Schannel'], ids: [36870], sinceMinutes: 1440, max: 50 },
  { op: 'file.acl', path: 'C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys' },
  { op: 'file.acl', path: 'C:\\nope' },
  { op: 'os.info' },
  { op: 'rdp.sessions' },
];

describe('read ops', () => {
  it('every read op returns a value of its ReadValue schema (healthy and broken hosts)', () => {
    const seen = new Set<string>();
    for (const scenario of ['healthy', 'cert-key-unreadable', 'termservice-stopped']) {
      const m = build(scenario);
      const result = run(m, 'read', READS);
      result.results.forEach((r, i) => {
        const op = READS[i]!.op;
        seen.add(op);
        const v = okValue(r).value;
        const parsed = ReadValue[op].safeParse(v);
        assert.ok(parsed.success, `${scenario} ${op}: ${parsed.success ? '' : parsed.error.message}`);
      });
    }
    assert.deepEqual([...seen].sort(), Object.keys(ReadValue).sort());
  });

  it('reads reflect the model: effective RDP setting, WMI SecurityLayer numbering, listeners, sessions', () => {
    const m = build('rdp-disabled-by-policy');
    const tss = okValue(one(m, { op: 'cim.query', namespace: TSNS, className: 'Win32_TerminalServiceSetting' })).value as Array<Record<string, unknown>>;
    assert.equal(tss[0]?.['AllowTSConnections'], 0);
    assert.equal(tss[0]?.['PolicySourceAllowTSConnections'], 1);
    const h = build('healthy');
    const g = okValue(one(h, { op: 'cim.query', namespace: TSNS, className: 'Win32_TSGeneralSetting', filter: "TerminalName='RDP-Tcp'" })).value as Array<Record<string, unknown>>;
    assert.equal(g[0]?.['SecurityLayer'], 2); // registry numbering (see cim/classes.ts)
    assert.equal(g[0]?.['UserAuthenticationRequired'], 1);
    assert.equal(g[0]?.['PolicySourceSecurityLayer'], 0);
    const certs = ReadValue['cert.list'].parse(okValue(one(h, { op: 'cert.list', store: 'Remote Desktop' })).value);
    assert.equal(g[0]?.['SSLCertificateSHA1Hash'], certs[0]?.thumbprint);
    const listeners = okValue(one(h, { op: 'tcp.listeners', port: 3389 })).value as Array<{ owningProcess: number }>;
    assert.equal(listeners.length, 2);
    assert.equal(listeners[0]?.owningProcess, h.services['termservice']?.processId);
    const sessions = okValue(one(h, { op: 'rdp.sessions' })).value as Array<{ winStation: string; state: number }>;
    assert.ok(sessions.some((s) => s.winStation === 'RDP-Tcp' && s.state === 6));
    const svcKey = okValue(one(h, { op: 'reg.value', path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\TermService', name: 'Start' })).value as RegistryValueState;
    assert.equal(svcKey.data, 3);
  });

  it('reports NotFound / NotSupported / InvalidArgument like the runtime', () => {
    const m = build();
    // A store nobody created lists as no certificates; moving or removing from it is NotFound.
    assert.deepEqual(okValue(one(m, { op: 'cert.list', store: 'NoSuchStore' })).value, []);
    assert.equal((one(m, { op: 'cert.move', fromStore: 'NoSuchStore', toStore: 'My', thumbprint: 'AB' }) as { error: { code: string } }).error.code, 'NotFound');
    assert.equal((one(m, { op: 'cert.remove', store: 'NoSuchStore', thumbprint: 'AB' }) as { error: { code: string } }).error.code, 'NotFound');
    assert.equal((one(m, { op: 'group.members', sid: 'S-1-5-32-999' }) as { error: { code: string } }).error.code, 'NotFound');
    assert.equal((one(m, { op: 'cim.query', namespace: 'root\\cimv2', className: 'Win32_Nope' }) as { error: { code: string } }).error.code, 'NotSupported');
    assert.equal((one(m, { op: 'cim.query', namespace: 'root\\cimv2', className: 'Win32_Service', filter: 'Name LIKE x' }) as { error: { code: string } }).error.code, 'InvalidArgument');
  });
});

/** One sample of every write op on a host where it changes something, with its undo. */
interface WriteCase {
  scenario: string;
  op: Record<string, unknown>;
  undo: (previous: never) => Record<string, unknown>[] | null;
  /** A compare-and-set variant that must be refused. */
  stale?: Record<string, unknown>;
}

const regUndo = (p: RegistryValueState): Record<string, unknown>[] => [
  p.exists ? { op: 'reg.set', path: p.path, name: p.name, kind: p.kind, data: p.data } : { op: 'reg.delete', path: p.path, name: p.name },
];

const WRITES: Record<string, WriteCase> = {
  'reg.set': {
    scenario: 'rdp-disabled',
    op: { op: 'reg.set', path: TS, name: 'fDenyTSConnections', kind: 'DWord', data: 0, expect: { exists: true, kind: 'DWord', data: 1 } },
    undo: regUndo,
    stale: { op: 'reg.set', path: TS, name: 'fDenyTSConnections', kind: 'DWord', data: 0, expect: { exists: true, kind: 'DWord', data: 0 } },
  },
  'reg.set (new value)': {
    scenario: 'healthy',
    op: { op: 'reg.set', path: POL, name: 'UserAuthentication', kind: 'DWord', data: 0, expect: { exists: false, kind: null, data: null } },
    undo: regUndo,
  },
  'reg.delete': {
    scenario: 'rdp-disabled-by-policy',
    op: { op: 'reg.delete', path: POL, name: 'fDenyTSConnections', expect: { exists: true, kind: 'DWord', data: 1 } },
    undo: regUndo,
    stale: { op: 'reg.delete', path: POL, name: 'fDenyTSConnections', expect: { exists: false, kind: null, data: null } },
  },
  'service.control': {
    scenario: 'termservice-stopped',
    op: { op: 'service.control', name: 'TermService', action: 'start', expectState: 'Stopped' },
    undo: (p: { state: string }) => [{ op: 'service.control', name: 'TermService', action: p.state === 'Running' ? 'start' : 'stop' }],
    stale: { op: 'service.control', name: 'TermService', action: 'start', expectState: 'Running' },
  },
  'service.startType': {
    scenario: 'svc-dependency-stopped',
    op: { op: 'service.startType', name: 'SessionEnv', startType: 'Manual', expectStartType: 'Disabled' },
    undo: (p: { startType: string }) => [{ op: 'service.startType', name: 'SessionEnv', startType: p.startType }],
    stale: { op: 'service.startType', name: 'SessionEnv', startType: 'Manual', expectStartType: 'Automatic' },
  },
  'fw.enable': {
    scenario: 'firewall-blocked',
    op: { op: 'fw.enable', names: RDP_RULES, enabled: true, expect: { [RDP_RULES[0]!]: false, [RDP_RULES[1]!]: false } },
    undo: (p: Record<string, boolean>) => Object.entries(p).map(([name, enabled]) => ({ op: 'fw.enable', names: [name], enabled })),
    stale: { op: 'fw.enable', names: RDP_RULES, enabled: true, expect: { [RDP_RULES[0]!]: true } },
  },
  'cert.move': {
    scenario: 'healthy',
    op: { op: 'cert.move', fromStore: 'Remote Desktop', toStore: 'My', thumbprint: '$RDP' },
    undo: (p: { der: string }) => [{ op: 'cert.move', fromStore: 'My', toStore: 'Remote Desktop', thumbprint: WritePrevious['cert.move'].parse(p).thumbprint }],
  },
  'cert.remove': {
    scenario: 'healthy',
    op: { op: 'cert.remove', store: 'Remote Desktop', thumbprint: '$RDP' },
    undo: () => null, // not undoable: that is why fixes use cert.move
  },
  'group.add': {
    scenario: 'user-not-allowed',
    op: { op: 'group.add', groupSid: 'S-1-5-32-555', member: 'LAB-HOST1\\rdpuser' },
    undo: (p: { wasMember: boolean }) => (p.wasMember ? [] : [{ op: 'group.remove', groupSid: 'S-1-5-32-555', member: 'LAB-HOST1\\rdpuser' }]),
  },
  'group.remove': {
    scenario: 'healthy',
    op: { op: 'group.remove', groupSid: 'S-1-5-32-555', member: 'rdpuser' },
    undo: (p: { wasMember: boolean }) => (p.wasMember ? [{ op: 'group.add', groupSid: 'S-1-5-32-555', member: 'rdpuser' }] : []),
  },
  'cim.invoke': {
    scenario: 'security-layer-mismatch',
    op: {
      op: 'cim.invoke', namespace: TSNS, className: 'Win32_TSGeneralSetting', filter: "TerminalName='RDP-Tcp'", method: 'SetSecurityLayer',
      args: { SecurityLayer: 2 }, expect: { SecurityLayer: 0 }, capture: ['SecurityLayer'],
    },
    undo: (p: { SecurityLayer: number }) => [
      { op: 'cim.invoke', namespace: TSNS, className: 'Win32_TSGeneralSetting', filter: "TerminalName='RDP-Tcp'", method: 'SetSecurityLayer', args: { SecurityLayer: p.SecurityLayer } },
    ],
    stale: {
      op: 'cim.invoke', namespace: TSNS, className: 'Win32_TSGeneralSetting', method: 'SetSecurityLayer', args: { SecurityLayer: 2 }, expect: { SecurityLayer: 1 },
    },
  },
  'cim.invoke SetAllowTSConnections': {
    scenario: 'rdp-disabled',
    op: {
      op: 'cim.invoke', namespace: TSNS, className: 'Win32_TerminalServiceSetting', method: 'SetAllowTSConnections',
      args: { AllowTSConnections: 1, ModifyFirewallException: 1 }, expect: { AllowTSConnections: 0 }, capture: ['AllowTSConnections'],
    },
    undo: (p: { AllowTSConnections: number }) => [
      { op: 'cim.invoke', namespace: TSNS, className: 'Win32_TerminalServiceSetting', method: 'SetAllowTSConnections', args: { AllowTSConnections: p.AllowTSConnections, ModifyFirewallException: 0 } },
    ],
  },
  'task.scheduleRevert': {
    scenario: 'healthy',
    op: { op: 'task.scheduleRevert', name: 'revert-nla', afterMinutes: 60, restore: [{ path: RDP, name: 'UserAuthentication', wrote: { kind: 'DWord', data: 0 }, previous: { exists: true, kind: 'DWord', data: 1 } }] },
    undo: (p: { existed: boolean }) => (p.existed ? null : [{ op: 'task.cancel', name: 'revert-nla' }]),
  },
  'task.cancel': {
    scenario: 'healthy',
    op: { op: 'task.cancel', name: 'nothing-here' },
    undo: () => [],
  },
};

function resolve(op: Record<string, unknown>, m: ReturnType<typeof build>): Record<string, unknown> {
  return op['thumbprint'] === '$RDP' ? { ...op, thumbprint: m.certStores['remote desktop']?.certs[0]?.thumbprint } : op;
}

const opName = (c: WriteCase): keyof typeof WritePrevious => c.op['op'] as keyof typeof WritePrevious;

describe('write ops', () => {
  it('cover every write op of the contract', () => {
    assert.deepEqual([...new Set(Object.values(WRITES).map(opName))].sort(), Object.keys(WritePrevious).sort());
  });

  for (const [label, c] of Object.entries(WRITES)) {
    it(`${label}: previous validates against WritePrevious; the undo restores the model exactly`, () => {
      const m = build(c.scenario);
      const before = structuredClone(m);
      const r = okValue(one(m, resolve(c.op, m)));
      const parsed = WritePrevious[opName(c)].safeParse(r.previous);
      assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
      if (label !== 'task.cancel') assert.notDeepEqual(m, before, 'the op changed something');
      const undo = c.undo(r.previous as never);
      if (undo === null) return;
      if (undo.length) for (const u of run(m, 'write', undo).results) okValue(u);
      assert.deepEqual(m, before);
    });

    if (c.stale) {
      const stale = c.stale;
      it(`${label}: a stale expectation is refused with PreconditionFailed and changes nothing`, () => {
        const m = build(c.scenario);
        const before = structuredClone(m);
        const r = one(m, stale);
        assert.equal(r.ok, false);
        if (!r.ok) {
          assert.equal(r.error.code, 'PreconditionFailed');
          assert.ok(r.error.current !== undefined);
        }
        assert.deepEqual(m, before);
      });
    }
  }

  it('SetAllowTSConnections(1,1) also enables the RDP firewall exception', () => {
    const m = build('rdp-disabled', 'firewall-blocked');
    okValue(one(m, { op: 'cim.invoke', namespace: TSNS, className: 'Win32_TerminalServiceSetting', method: 'SetAllowTSConnections', args: { AllowTSConnections: 1, ModifyFirewallException: 1 } }));
    const st = deriveRdpState(m);
    assert.equal(st.listening, true);
    assert.equal(st.firewallAllows, true);
  });

  it('service.control start fails like SCM error 1068 when a dependency is disabled, 1058 when the service is', () => {
    const m = build('healthy');
    m.services['termdd']!.startType = 'Disabled';
    m.services['termdd']!.state = 'Stopped';
    okValue(one(m, { op: 'service.control', name: 'TermService', action: 'stop' }));
    const before = structuredClone(m);
    const r = one(m, { op: 'service.control', name: 'TermService', action: 'start' });
    assert.ok(!r.ok && r.error.code === 'Failed' && /1068/.test(r.error.message));
    assert.deepEqual(m, before);
    const s = build('svc-dependency-stopped');
    const r2 = one(s, { op: 'service.control', name: 'SessionEnv', action: 'start' });
    assert.ok(!r2.ok && /1058/.test(r2.error.message));
    assert.equal((one(s, { op: 'service.control', name: 'NoSuch', action: 'start' }) as { error: { code: string } }).error.code, 'NotFound');
  });

  it('stopping TermService stops UmRdpService and drops RDP sessions; a restart is stop + start + the dependents', () => {
    const m = build('connection-limit');
    okValue(one(m, { op: 'service.control', name: 'TermService', action: 'stop', expectState: 'Running' }));
    assert.equal(m.services['umrdpservice']?.state, 'Stopped');
    assert.ok(!m.sessions.some((s) => /^RDP-Tcp#/.test(s.winStation)));
    assert.equal(deriveRdpState(m).listening, false);
    run(m, 'write', [
      { op: 'service.control', name: 'TermService', action: 'start', expectState: 'Stopped' },
      { op: 'service.control', name: 'UmRdpService', action: 'start', expectState: 'Stopped' },
    ]).results.forEach(okValue);
    assert.equal(m.services['umrdpservice']?.state, 'Running');
    assert.equal(deriveRdpState(m).listening, true);
  });

  it('service.control has no restart any more', () => {
    assert.throws(() => one(build(), { op: 'service.control', name: 'TermService', action: 'restart' }), /action/);
  });

  it('group.add resolves unknown domain accounts to a stable made-up SID', () => {
    const a = build();
    const b = build();
    okValue(one(a, { op: 'group.add', groupSid: 'S-1-5-32-555', member: 'CONTOSO\\bob' }));
    okValue(one(b, { op: 'group.add', groupSid: 'S-1-5-32-555', member: 'CONTOSO\\bob' }));
    const sidOf = (m: typeof a) => m.groups['S-1-5-32-555']?.members.find((x) => x.name === 'CONTOSO\\bob')?.sid;
    assert.match(sidOf(a) ?? '', /^S-1-5-21-\d+-\d+-\d+-\d+$/);
    assert.equal(sidOf(a), sidOf(b));
    const again = okValue(one(a, { op: 'group.add', groupSid: 'S-1-5-32-555', member: sidOf(a) }));
    assert.deepEqual(again.previous, { wasMember: true });
  });
});
