import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Plan, WRITE_OPS } from '../../src/host/operations.ts';
import { EVENT_QUERIES, READ_IDS, buildReadPlan, isFactError, readPlanFacts } from '../../src/rdp/read-plan.ts';
import { executePlan } from '../../src/host/executor.ts';
import { fakeRunner } from '../host/fake-host.ts';

function allIds(x: unknown): string[] {
  return typeof x === 'string' ? [x] : Object.values(x as object).flatMap(allIds);
}

test('the read plan validates, is mode read, has no write op and unique ids', () => {
  const plan = buildReadPlan();
  assert.ok(Plan.safeParse(plan).success);
  assert.equal(plan.mode, 'read');
  assert.ok(plan.ops.every((op) => !WRITE_OPS.has(op.op)));
  const ids = plan.ops.map((op) => op.id);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every((id) => id.length <= 64));
});

test('every READ_IDS constant is an op of the plan, and every op has a constant', () => {
  const ids = buildReadPlan().ops.map((op) => op.id).sort();
  assert.deepEqual(allIds(READ_IDS).sort(), ids);
});

test('the plan reads what the catalogue needs', () => {
  const plan = buildReadPlan();
  const byId = new Map(plan.ops.map((op) => [op.id, op]));
  assert.deepEqual(byId.get(READ_IDS.rdpTcp), { id: 'reg.rdpTcp', op: 'reg.key', path: 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server\\WinStations\\RDP-Tcp' });
  assert.deepEqual(byId.get(READ_IDS.firewallRules), { id: 'fw.rdpRules', op: 'fw.rules', group: '@FirewallAPI.dll,-28752', port: 3389 });
  const kinds = new Set(plan.ops.map((op) => op.op));
  for (const k of ['reg.value', 'reg.key', 'service.get', 'cim.query', 'cert.list', 'fw.rules', 'fw.profiles', 'group.members', 'tcp.listeners', 'ip.addresses', 'events.query', 'file.acl', 'os.info', 'rdp.sessions']) {
    assert.ok(kinds.has(k as never), k);
  }
  const tls12 = byId.get(READ_IDS.schannel['TLS 1.2']);
  assert.equal(tls12?.op === 'reg.key' && tls12.path, 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server');
  const rcm = byId.get(READ_IDS.events.rcmOperational);
  assert.ok(rcm?.op === 'events.query' && rcm.ids?.includes(1035) && rcm.sinceMinutes === 1440);
});

test('options: rdpPort filters the listeners, sinceMinutes sets every event window', () => {
  const plan = buildReadPlan({ rdpPort: 3390, sinceMinutes: 30 });
  const tcp = plan.ops.find((op) => op.id === READ_IDS.tcpListeners);
  assert.ok(tcp?.op === 'tcp.listeners' && tcp.port === 3390);
  const events = plan.ops.filter((op) => op.op === 'events.query');
  assert.equal(events.length, Object.keys(EVENT_QUERIES).length);
  assert.ok(events.every((op) => op.op === 'events.query' && op.sinceMinutes === 30));
  assert.ok(!('port' in (buildReadPlan().ops.find((op) => op.id === READ_IDS.tcpListeners) ?? {})));
});

test('readPlanFacts types every fact and makes missing evidence explicit', async () => {
  const facts = readPlanFacts(await executePlan(fakeRunner(), buildReadPlan()));
  assert.equal(facts.host, 'VM1');
  assert.ok(!isFactError(facts.os) && facts.os.productType === 3);
  assert.ok(!isFactError(facts.services.TermService) && facts.services.TermService.state === 'Running');
  assert.ok(!isFactError(facts.events.termdd) && facts.events.termdd[0]?.id === 56);

  const broken = await executePlan(
    fakeRunner((r) => {
      r.results[1] = { id: READ_IDS.terminalServer, ok: false, error: { code: 'AccessDenied', message: 'denied' } };
      const sessions = r.results.find((x) => x.id === READ_IDS.sessions)!;
      sessions.value = [{ id: 1, winStation: 'Console', state: 'Active' }];
    }),
    buildReadPlan(),
  );
  const f = readPlanFacts(broken);
  assert.deepEqual(f.terminalServer, { error: { code: 'AccessDenied', message: 'denied' } });
  assert.ok(isFactError(f.sessions) && /does not match the rdp.sessions schema/.test(f.sessions.error.message));
  assert.ok(!isFactError(f.rdpTcp));
});
