// Write operations no fix of the catalogue uses as such (reg.delete, cim.invoke), and the refusals
// each write has, compared op by op between the engine under pwsh and the lab model: check mode,
// the write, a stale precondition (PreconditionFailed, then NotRun), and the host left behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Plan, PLAN_VERSION } from '../../src/host/operations.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { comparableSnapshot } from '../support/model-snapshot.ts';
import { comparable, recordCoverage, recordPlan, runModel, runPwsh } from './harness.ts';

const NOW = new Date('2026-12-07T02:00:00Z');
const RDP = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp';
const TS_NS = 'root\\cimv2\\TerminalServices';
const write = (ops: unknown[], check = false): Plan => Plan.parse({ version: PLAN_VERSION, mode: 'write', check, ops });

const cases: { name: string; scenario: string; ops: unknown[] }[] = [
  {
    name: 'reg.delete of an existing value, then the same delete with its (now stale) expectation',
    scenario: 'healthy',
    ops: [
      { id: 'del', op: 'reg.delete', path: RDP, name: 'MinEncryptionLevel', expect: { exists: true, kind: 'DWord', data: 2 } },
      { id: 'del-again', op: 'reg.delete', path: RDP, name: 'MinEncryptionLevel', expect: { exists: true, kind: 'DWord', data: 2 } },
      { id: 'after', op: 'reg.set', path: RDP, name: 'MinEncryptionLevel', kind: 'DWord', data: 2 },
    ],
  },
  {
    name: 'cim.invoke with expect and capture, then a stale expectation',
    scenario: 'security-layer-mismatch',
    ops: [
      {
        id: 'nla-on',
        op: 'cim.invoke',
        namespace: TS_NS,
        className: 'Win32_TSGeneralSetting',
        filter: "TerminalName='RDP-Tcp'",
        method: 'SetUserAuthenticationRequired',
        args: { UserAuthenticationRequired: 1 },
        expect: { TerminalName: 'RDP-Tcp' },
        capture: ['UserAuthenticationRequired', 'SecurityLayer'],
      },
      {
        id: 'stale',
        op: 'cim.invoke',
        namespace: TS_NS,
        className: 'Win32_TSGeneralSetting',
        filter: "TerminalName='RDP-Tcp'",
        method: 'SetSecurityLayer',
        args: { SecurityLayer: 2 },
        expect: { SecurityLayer: 99 },
      },
      { id: 'not-run', op: 'service.control', name: 'TermService', action: 'stop', expectState: 'Running' },
    ],
  },
  {
    name: 'cim.invoke on no instance, and a service that does not exist',
    scenario: 'healthy',
    ops: [{ id: 'none', op: 'cim.invoke', namespace: TS_NS, className: 'Win32_TSGeneralSetting', filter: "TerminalName='Nope'", method: 'SetSecurityLayer', args: { SecurityLayer: 2 } }],
  },
  {
    name: 'service.control and service.startType refusals',
    scenario: 'healthy',
    ops: [{ id: 'ghost', op: 'service.control', name: 'NoSuchService', action: 'start' }],
  },
  {
    name: 'service.startType with a stale expectation',
    scenario: 'healthy',
    ops: [{ id: 'st', op: 'service.startType', name: 'SessionEnv', startType: 'Disabled', expectStartType: 'Automatic' }],
  },
];

describe('write operations one by one: pwsh engine == lab model', { concurrency: 2 }, () => {
  for (const c of cases) {
    test(c.name, async () => {
      const built = buildHost([c.scenario], { computerName: 'WORK-PC', password: 'Lab-Passw0rd!', now: NOW });
      for (const check of [true, false]) {
        const plan = write(c.ops, check);
        const ps = structuredClone(built);
        const ts = structuredClone(built);
        const [a, b] = [await runPwsh(ps, plan, { now: NOW }), runModel(ts, plan, NOW)];
        assert.deepEqual(comparable(a), comparable(b), `check=${check}`);
        assert.deepEqual(comparableSnapshot(ps), comparableSnapshot(ts), `check=${check}: the hosts differ`);
        if (check) assert.deepEqual(comparableSnapshot(ps), comparableSnapshot(built), 'check mode changed the host');
        recordPlan(plan, c.scenario);
        recordCoverage({ preconditions: a.results.filter((r) => !r.ok && r.error.code === 'PreconditionFailed').map((r) => `ops:${r.id}`) });
      }
    });
  }
});
