// What a failed host read becomes in plain words: the host, the cause, and what to do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RuntimeResultError } from '../../src/host/result.ts';
import { classifyHostError } from '../../src/rdp/diagnose-access.ts';
import type { CheckTarget } from '../../src/rdp/types.ts';

const target: CheckTarget = { id: 'work-pc', address: 'work-pc', rdpHost: '10.0.0.5', rdpPort: 3389, winrmUrl: 'https://work-pc:5986/wsman', rdpUsers: [] };
const fault = (message: string): Error => Object.assign(new Error(message), { name: 'WinrmFaultError' });

test('bad stdin, another runtime version and a refused plan name the host, the cause and what to do', () => {
  const cases: [string, RegExp][] = [
    ['rdp-medic bootstrap: stdin was cut short or padded: 100 of 900 characters arrived', /work-pc.*cut short.*retry; if it persists, look for a proxy or a WinRM quota/],
    ['rdp-medic bootstrap: stdin was corrupted on the way: its SHA-256 does not match the header', /work-pc.*corrupted.*did not arrive intact/],
    ['the host ran runtime 1.0.0, expected 2.0.0', /work-pc.*ran runtime 1\.0\.0.*same rdp-medic version on every worker/],
    ['rdp-medic bootstrap: plan refused: version 3 is not known to runtime 2.0.0', /work-pc.*plan refused.*bug, please report it/],
  ];
  for (const [message, expected] of cases) {
    const f = classifyHostError(new RuntimeResultError(message, undefined, 'bootstrap'), target);
    assert.equal(f.kind, 'runtime');
    assert.match(f.message, expected);
  }
});

test('policies are named with what to change; other faults stay protocol errors', () => {
  const clm = classifyHostError(new RuntimeResultError('PowerShell runs in Constrained Language Mode for this account', undefined, 'bootstrap'), target);
  assert.deepEqual([clm.kind, /^On work-pc: PowerShell runs in Constrained Language Mode/.test(clm.message)], ['policy', true]);
  const winrs = classifyHostError(fault('w:AccessDenied 2147942405: The WS-Management service cannot process the request. The service is configured to not accept any remote shell requests.'), target);
  assert.equal(winrs.kind, 'policy');
  assert.match(winrs.message, /Allow Remote Shell Access to Not Configured or Enabled/);
  assert.equal(classifyHostError(fault('w:QuotaLimit 2150859173: too many shells'), target).kind, 'protocol');
});
