import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePlan } from '../../src/rdp/fixes/describe-plan.ts';
import type { Plan } from '../../src/host/operations.ts';

test('every write becomes one plain line; reads are left out', () => {
  const plan = {
    version: 2,
    ops: [
      { id: 'r', op: 'reg.value', path: 'HKLM:\\SYSTEM\\X', name: 'Y' },
      { id: 'a', op: 'reg.set', path: 'HKLM:\\SYSTEM\\RDP-Tcp', name: 'SecurityLayer', kind: 'DWord', data: 2, expect: { exists: true, kind: 'DWord', data: 0 } },
      { id: 'b', op: 'service.control', name: 'TermService', action: 'stop', expectState: 'Running', timeoutSec: 60 },
      { id: 'c', op: 'fw.enable', names: ['RemoteDesktop-UserMode-In-TCP'], enabled: true },
    ],
  } as unknown as Plan;
  assert.deepEqual(describePlan(plan), [
    'Set HKLM\\SYSTEM\\RDP-Tcp\\SecurityLayer from 0 to 2 (DWord)',
    'Stop the TermService service (now Running)',
    'Enable firewall rule RemoteDesktop-UserMode-In-TCP',
  ]);
});

test('restart steps (stop, start, the dependents again) read as one restart', () => {
  const op = (id: string, name: string, action: 'start' | 'stop', expectState: 'Running' | 'Stopped') => ({ id, op: 'service.control', name, action, expectState, timeoutSec: 60 });
  const plan = {
    version: 2,
    ops: [
      op('stop-TermService', 'TermService', 'stop', 'Running'),
      op('start-TermService', 'TermService', 'start', 'Stopped'),
      op('start-UmRdpService', 'UmRdpService', 'start', 'Stopped'),
      op('start-SessionEnv', 'SessionEnv', 'start', 'Running'),
    ],
  } as unknown as Plan;
  assert.deepEqual(describePlan(plan), [
    'Restart the TermService service (now Running), and start UmRdpService again (stopping TermService stops it)',
    'Start the SessionEnv service (now Running)',
  ]);
});
