// Review point: swallowed errors became false facts ("access denied" read as "no firewall rules",
// "no listeners", "does not exist"). Under pwsh, a primitive that fails as Windows can makes the
// operation fail with that error; only "not found" may mean empty.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Plan, PLAN_VERSION, type OpResult } from '../../src/host/operations.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { recordCoverage, runPwsh } from './harness.ts';

const NOW = new Date('2026-12-07T02:00:00Z');
const DENIED = { kind: 'AccessDenied', message: 'Access is denied.' };

const cases: { primitive: string; op: Plan['ops'][number]; code: string }[] = [
  { primitive: 'Read-NetworkCategories', op: { id: 'p', op: 'fw.profiles' }, code: 'AccessDenied' },
  { primitive: 'Read-FirewallRules', op: { id: 'r', op: 'fw.rules', group: '@FirewallAPI.dll,-28752' }, code: 'AccessDenied' },
  { primitive: 'Read-FirewallTcpPortRules', op: { id: 'q', op: 'fw.rules', port: 3389 }, code: 'AccessDenied' },
  { primitive: 'Read-TcpListeners', op: { id: 't', op: 'tcp.listeners', port: 3389 }, code: 'AccessDenied' },
  { primitive: 'Read-IpAddresses', op: { id: 'i', op: 'ip.addresses' }, code: 'AccessDenied' },
  { primitive: 'Read-FileAcl', op: { id: 'f', op: 'file.acl', path: '%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys' }, code: 'AccessDenied' },
  { primitive: 'Read-StoreCertificates', op: { id: 'c', op: 'cert.list', store: 'Remote Desktop' }, code: 'AccessDenied' },
  { primitive: 'Read-LocalGroupMembers', op: { id: 'g', op: 'group.members', sid: 'S-1-5-32-555' }, code: 'AccessDenied' },
];

test('a denied primitive is an error of its operation, never an empty answer', async () => {
  const m = buildHost(['healthy'], { computerName: 'WORK-PC', password: 'Lab-Passw0rd!', now: NOW });
  const plan = Plan.parse({ version: PLAN_VERSION, mode: 'read', ops: cases.map((c) => c.op) });
  const failing = Object.fromEntries(cases.map((c) => [c.primitive, DENIED]));
  const result = await runPwsh(m, plan, { now: NOW, host: { failing } });
  const codes = result.results.map((r: OpResult) => (r.ok ? `ok ${JSON.stringify(r.value).slice(0, 60)}` : r.error.code));
  assert.deepEqual(codes, cases.map((c) => c.code));
  // And without the faults the same plan answers: the failures above came from the primitives.
  const healthy = await runPwsh(m, plan, { now: NOW });
  assert.ok(healthy.results.every((r) => r.ok), JSON.stringify(healthy.results.filter((r) => !r.ok)));
  recordCoverage({ ops: cases.map((c) => c.op.op) });
});
