// Fix plans and their undo against the lab's real plan semantics: every scenario with a cure is
// planted, diagnosed (the read plan), cured by the plan built from its facts, and then undone back
// to the exact state before. runPlan = the lab executor (src/lab/model/execute-plan.ts).
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { validatePlan } from '../../src/host/executor.ts';
import type { Operation, Plan, PlanResult } from '../../src/host/operations.ts';
import { buildReadPlan, readPlanFacts, type HostFacts } from '../../src/rdp/read-plan.ts';
import { SID } from '../../src/lab/model/accounts.ts';
import { executePlan } from '../../src/lab/model/execute-plan.ts';
import type { HostModel } from '../../src/lab/model/host-model.ts';
import { RDP_TCP } from '../../src/lab/model/paths.ts';
import { deriveRdpState } from '../../src/lab/model/rdp-state.ts';
import { getNumber } from '../../src/lab/model/registry.ts';
import { runDueTasks } from '../../src/lab/model/tasks.ts';
import { buildHost, SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { buildFix, buildUndo, canonicalJson, FIX_IDS, isNotApplicable, type KnownFixId } from '../../src/rdp/fixes/index.ts';
import type { CheckTarget, FixPlan, UndoRecord } from '../../src/rdp/types.ts';
import { undoPlan, undoRevertTaskName } from '../../src/rdp/fixes/undo-plan.ts';
import { comparableSnapshot } from '../support/model-snapshot.ts';

const NOW = new Date();
const OPTS = { computerName: 'lab-host1', password: 'P@ssw0rd!', now: NOW };
const TARGET: CheckTarget = { id: 'lab1', address: 'lab-host1', rdpHost: 'lab-host1', rdpPort: 3389, winrmUrl: 'http://lab-host1:5985/wsman', rdpUsers: ['rdpuser'] };

const readFacts = (m: HostModel, now = NOW): HostFacts => readPlanFacts(executePlan(m, buildReadPlan(), now));
const run = (m: HostModel, plan: Plan, now = NOW): PlanResult => executePlan(m, validatePlan(plan), now);

/**
 * The model minus what legitimately differs after fix + undo:
 * - `events`: the event log only grows (RCM 1056 "new certificate", etc.);
 * - empty certificate stores: cert.move creates 'RdpMedicBackup' and the plan language has no op
 *   to delete a store, so an emptied backup store stays behind (no certificates in it).
 * Nothing else is excluded: registry, services (state, start type, PID), certificates, firewall,
 * groups, sessions, tasks and file ACLs must be identical.
 */

function plan(id: KnownFixId, m: HostModel, now = NOW): FixPlan {
  const r = buildFix(id, { facts: readFacts(m, now), target: TARGET, now });
  if (isNotApplicable(r)) throw new Error(`${id}: not applicable: ${r.notApplicable}`);
  return r;
}

/** Applies a fix the way applyFix does (fresh facts, plan, apply, after-facts) and returns its undo. */
function applyWithUndo(id: KnownFixId, m: HostModel, undoId: string): { plan: FixPlan; result: PlanResult; undo: UndoRecord } {
  const before = readFacts(m);
  const built = buildFix(id, { facts: before, target: TARGET, now: NOW });
  if (isNotApplicable(built)) throw new Error(`${id}: not applicable: ${built.notApplicable}`);
  const result = run(m, built.apply);
  for (const r of result.results) assert.ok(r.ok, `${id} ${r.id}: ${r.ok ? '' : `${r.error.code} ${r.error.message}`}`);
  return { plan: built, result, undo: buildUndo(built, result, undoId, NOW, readFacts(m), before) };
}

function assertRdpHealthy(m: HostModel): void {
  const st = deriveRdpState(m);
  assert.equal(st.listening, true, 'listening');
  assert.equal(st.firewallAllows, true, 'firewall allows');
  assert.ok(st.certificate, 'a certificate');
  assert.equal(st.certificate.keyReadable, true, 'key readable');
  const x = new X509Certificate(st.certificate.certPem);
  assert.ok(Date.parse(x.validFrom) <= NOW.getTime() && NOW.getTime() < Date.parse(x.validTo), `certificate valid now (${x.validFrom} - ${x.validTo})`);
  assert.equal(st.tls.tls12, true, 'TLS 1.2');
  assert.ok(st.securityLayer >= 1, 'security layer');
}

const rdpUserSid = (m: HostModel): string => m.users['rdpuser']?.sid ?? '';

/** Scenario -> the fixes that cure it (in order) and the specific thing each fixes. */
const CURES: Record<string, { fixes: KnownFixId[]; check?: (m: HostModel) => void }> = {
  'rdp-disabled': { fixes: ['enable-rdp'] },
  'rdp-disabled-by-policy': { fixes: ['enable-rdp'] },
  'termservice-stopped': { fixes: ['start-termservice'], check: (m) => assert.equal(m.services['umrdpservice']?.state, 'Running') },
  'listener-down': { fixes: ['enable-rdp-listener'], check: (m) => assert.equal(getNumber(m, RDP_TCP, 'fEnableWinStation'), 1) },
  'port-changed': { fixes: ['reset-rdp-port'], check: (m) => assert.equal(deriveRdpState(m).portNumber, 3389) },
  'firewall-blocked': { fixes: ['enable-rdp-firewall-rules'] },
  'cert-expired': { fixes: ['regenerate-rdp-certificate'] },
  'cert-key-unreadable': { fixes: ['regenerate-rdp-certificate'] },
  'cert-key-acl-network-service': { fixes: ['regenerate-rdp-certificate'] },
  'tls-disabled': { fixes: ['enable-tls12'], check: (m) => assert.deepEqual(deriveRdpState(m).tls, { tls10: false, tls11: false, tls12: true }) },
  'security-layer-mismatch': { fixes: ['restore-security-layer'], check: (m) => assert.equal(deriveRdpState(m).securityLayer, 2) },
  'user-not-allowed': { fixes: ['add-rdp-user'], check: (m) => assert.ok(m.groups[SID.remoteDesktopUsers]?.members.some((x) => x.sid === rdpUserSid(m))) },
  'connection-limit': { fixes: ['raise-connection-limit'], check: (m) => assert.equal(getNumber(m, RDP_TCP, 'MaxInstanceCount'), 0xffffffff) },
  'svc-dependency-stopped': {
    fixes: ['start-rdp-dependency'],
    check: (m) => assert.deepEqual([m.services['sessionenv']?.state, m.services['sessionenv']?.startType], ['Running', 'Manual']),
  },
  'cert-expired+firewall-blocked': { fixes: ['enable-rdp-firewall-rules', 'regenerate-rdp-certificate'] },
};
// No problem to cure (the admins-removed key ACL, a custom allow rule, a hung WMI provider), or no
// rdp-medic fix (DNS, a Block rule someone added on purpose).
const NO_CURE_ON_HOST = ['healthy', 'dns-mismatch', 'cert-key-acl-admins-removed', 'fw-custom-allow', 'fw-block-rule', 'wmi-hung'];

describe('fix plans cure every scenario, and undo restores the host exactly', () => {
  it('covers every built-in scenario', () => {
    for (const name of SCENARIOS.keys()) assert.ok(name in CURES || NO_CURE_ON_HOST.includes(name), `no cure listed for ${name}`);
  });

  for (const [scenario, cure] of Object.entries(CURES)) {
    it(`${scenario}: ${cure.fixes.join(' then ')}`, () => {
      const m = buildHost([scenario], OPTS);
      const before = structuredClone(m);
      const undos: UndoRecord[] = [];
      for (const [i, id] of cure.fixes.entries()) undos.push(applyWithUndo(id, m, `u-test000${i}`).undo);
      assertRdpHealthy(m);
      cure.check?.(m);
      // Undo in reverse order, each compare-and-set against what its fix left.
      for (const u of undos.reverse()) {
        if (!u.plan.ops.length) continue;
        const r = run(m, u.plan);
        for (const x of r.results) assert.ok(x.ok, `undo ${u.fixId} ${x.id}: ${x.ok ? '' : `${x.error.code} ${x.error.message}`}`);
      }
      const expected = comparableSnapshot(before) as Record<string, unknown>;
      const actual = comparableSnapshot(m) as Record<string, unknown>;
      // cert-key-unreadable too: the regenerated certificate has a key file of its own, and the undo
      // removes it with the certificate, so the old certificate's broken key file ACL is back exactly.
      assert.deepEqual(actual, expected);
    });
  }

  it('the undo of a certificate regeneration removes the certificate Windows generated and moves the old one back', () => {
    const m = buildHost(['cert-expired'], OPTS);
    const old = m.certStores['remote desktop']?.certs[0]?.thumbprint;
    const { plan: p, undo } = applyWithUndo('regenerate-rdp-certificate', m, 'u-test0001');
    assert.deepEqual(p.apply.ops.map((o) => (o.op === 'service.control' ? `${o.action} ${o.name}` : o.op)), ['cert.move', 'stop SessionEnv', 'start SessionEnv']);
    const generated = m.certStores['remote desktop']?.certs[0]?.thumbprint;
    assert.notEqual(generated, old);
    assert.deepEqual(undo.plan.ops, [
      { id: 'undo-generated-cert-1', op: 'cert.remove', store: 'Remote Desktop', thumbprint: generated },
      { id: 'undo-move-cert-1', op: 'cert.move', fromStore: 'RdpMedicBackup', toStore: 'Remote Desktop', thumbprint: old },
    ]);
  });
});

describe('plan builders', () => {
  it('every fix but the break-glass NLA downgrade is not applicable on a healthy host, and nothing is built on it', () => {
    const m = buildHost(['healthy'], OPTS);
    const facts = readFacts(m);
    for (const id of FIX_IDS) {
      const r = buildFix(id, { facts, target: TARGET, now: NOW });
      if (id === 'disable-nla-temporarily') assert.ok(!isNotApplicable(r));
      else assert.ok(isNotApplicable(r), `${id} should not apply to a healthy host`);
    }
  });

  it('regenerate-rdp-certificate on a healthy host: not applicable, with the reason', () => {
    const m = buildHost(['healthy'], OPTS);
    const r = buildFix('regenerate-rdp-certificate', { facts: readFacts(m), target: TARGET, now: NOW });
    assert.ok(isNotApplicable(r));
    assert.match(r.notApplicable, /already holds a usable certificate/);
  });

  it('missing evidence: not applicable, never a guess', () => {
    const m = buildHost(['firewall-blocked'], OPTS);
    const facts = readFacts(m);
    facts.firewallRules = { error: { code: 'AccessDenied', message: 'denied' } };
    const r = buildFix('enable-rdp-firewall-rules', { facts, target: TARGET, now: NOW });
    assert.ok(isNotApplicable(r));
    assert.match(r.notApplicable, /could not be read \(AccessDenied/);
  });

  it('regenerate-rdp-certificate is not applicable while SessionEnv is disabled', () => {
    const m = buildHost(['cert-expired', 'svc-dependency-stopped'], OPTS);
    const r = buildFix('regenerate-rdp-certificate', { facts: readFacts(m), target: TARGET, now: NOW });
    assert.ok(isNotApplicable(r));
    assert.match(r.notApplicable, /start-rdp-dependency/);
  });

  it('preconditions carry the exact state seen; disruptive plans name the sessions they drop', () => {
    const m = buildHost(['tls-disabled'], OPTS);
    m.sessions.push({ id: 3, winStation: 'RDP-Tcp#1', user: 'CONTOSO\\bob', state: 0, clientName: 'BOB-PC' });
    const p = plan('enable-tls12', m);
    assert.deepEqual(
      p.apply.ops.map((o) => (o.op === 'reg.set' ? [o.name, o.data, o.expect] : o.op === 'service.control' ? [o.name, o.action, o.expectState] : o.op)),
      [
        ['Enabled', 1, { exists: true, kind: 'DWord', data: 0 }],
        ['DisabledByDefault', 0, { exists: true, kind: 'DWord', data: 1 }],
        // A restart is steps: stop, start, then the running dependent the stop also stopped.
        ['TermService', 'stop', 'Running'],
        ['TermService', 'start', 'Stopped'],
        ['UmRdpService', 'start', 'Stopped'],
      ],
    );
    assert.equal(p.impact.disruptive, true);
    assert.deepEqual(p.impact.drops, ['CONTOSO\\bob (session 3, active)']);
    assert.deepEqual(p.verify, { recheck: ['tls-schannel-protocols'], expectRdpTls: true });
    assert.equal(p.timeBoxMinutes, null);
  });

  it('enable-rdp uses reg.set + fw.enable (exact undo), and deletes a Group Policy deny', () => {
    const local = plan('enable-rdp', buildHost(['rdp-disabled', 'firewall-blocked'], OPTS));
    assert.deepEqual(local.apply.ops.map((o) => o.op), ['reg.set', 'fw.enable']);
    const policy = plan('enable-rdp', buildHost(['rdp-disabled-by-policy'], OPTS));
    assert.deepEqual(policy.apply.ops.map((o) => [o.op, 'expect' in o ? o.expect : null]), [['reg.delete', { exists: true, kind: 'DWord', data: 1 }]]);
  });

  it('add-rdp-user adds the first configured user not yet allowed', () => {
    const m = buildHost(['user-not-allowed'], OPTS);
    const r = buildFix('add-rdp-user', { facts: readFacts(m), target: { ...TARGET, rdpUsers: ['.\\Administrator', 'LAB-HOST1\\rdpuser'] }, now: NOW });
    assert.ok(!isNotApplicable(r));
    assert.deepEqual(r.apply.ops, [{ id: 'add-rdp-user', op: 'group.add', groupSid: 'S-1-5-32-555', member: 'LAB-HOST1\\rdpuser' }]);
  });

  it('hash: sha256 of the canonical apply plan, stable for equal plans, different for different ones', () => {
    const a = plan('enable-rdp-firewall-rules', buildHost(['firewall-blocked'], OPTS));
    const b = plan('enable-rdp-firewall-rules', buildHost(['firewall-blocked'], OPTS));
    assert.match(a.hash, /^[0-9a-f]{64}$/);
    assert.equal(a.hash, b.hash);
    const m = buildHost(['firewall-blocked'], OPTS);
    const udp = m.firewall.rules.find((r) => r.name === 'RemoteDesktop-UserMode-In-UDP');
    if (udp) udp.enabled = true; // only TCP is off: a different plan
    assert.notEqual(plan('enable-rdp-firewall-rules', m).hash, a.hash);
    assert.notEqual(plan('enable-tls12', buildHost(['tls-disabled'], OPTS)).hash, a.hash);
    assert.equal(canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }), canonicalJson({ a: [{ c: 3, d: 2 }], b: 1 }));
  });
});

describe('compare-and-set', () => {
  it('the host changed between diagnosis and apply: PreconditionFailed, nothing changed', () => {
    const m = buildHost(['firewall-blocked'], OPTS);
    const p = plan('enable-rdp-firewall-rules', m);
    const tcp = m.firewall.rules.find((r) => r.name === 'RemoteDesktop-UserMode-In-TCP');
    if (tcp) tcp.enabled = true; // someone else re-enabled the TCP rule meanwhile
    const before = structuredClone(m);
    const r = run(m, p.apply);
    assert.equal(r.results[0]?.ok, false);
    assert.equal(!r.results[0]?.ok && r.results[0]?.error.code, 'PreconditionFailed');
    assert.deepEqual(m, before);
  });

  it('an undo refuses when the value the fix left was changed since', () => {
    const m = buildHost(['port-changed'], OPTS);
    const { undo } = applyWithUndo('reset-rdp-port', m, 'u-test0001');
    const reg = m.registry[RDP_TCP.toLowerCase()]?.values['portnumber'];
    if (reg) reg.data = 4000;
    const before = structuredClone(m);
    const r = run(m, undo.plan);
    assert.equal(!r.results[0]?.ok && r.results[0]?.error.code, 'PreconditionFailed');
    assert.deepEqual(m, before);
  });
});

describe('disable-nla-temporarily', () => {
  it('first op is the revert task; NLA is off; the task restores NLA exactly after 60 minutes', () => {
    const m = buildHost(['healthy'], OPTS);
    const before = comparableSnapshot(m);
    const p = plan('disable-nla-temporarily', m);
    assert.equal(p.risk, 'weakens-security');
    assert.equal(p.impact.weakensSecurity, true);
    assert.equal(p.timeBoxMinutes, 60);
    const [first, second] = p.apply.ops as [Operation, Operation];
    assert.equal(first.op, 'task.scheduleRevert');
    assert.ok(first.op === 'task.scheduleRevert');
    assert.match(first.name, /^rdp-medic-revert-disable-nla-temporarily-[0-9a-f]{8}$/);
    assert.equal(first.afterMinutes, 60);
    assert.deepEqual(first.restore, [
      { path: RDP_TCP, name: 'UserAuthentication', wrote: { kind: 'DWord', data: 0 }, previous: { exists: true, kind: 'DWord', data: 1 } },
    ]);
    assert.deepEqual(second, { id: 'set-UserAuthentication', op: 'reg.set', path: RDP_TCP, name: 'UserAuthentication', kind: 'DWord', data: 0, expect: { exists: true, kind: 'DWord', data: 1 } });
    run(m, p.apply);
    assert.equal(deriveRdpState(m).nla, false);
    assert.deepEqual(runDueTasks(m, new Date(NOW.getTime() + 59 * 60_000)), []);
    const runs = runDueTasks(m, new Date(NOW.getTime() + 61 * 60_000));
    assert.equal(runs.length, 1);
    assert.equal(deriveRdpState(m).nla, true);
    assert.deepEqual(comparableSnapshot(m), before);
  });

  it('undo before expiry cancels the task and restores NLA', () => {
    const m = buildHost(['healthy'], OPTS);
    const before = comparableSnapshot(m);
    const { undo } = applyWithUndo('disable-nla-temporarily', m, 'u-test0001');
    assert.equal(Object.keys(m.tasks).length, 1);
    assert.match(undo.revertTask ?? '', /^rdp-medic-revert-disable-nla-temporarily-/);
    assert.deepEqual(undo.plan.ops.map((o) => o.op), ['reg.set', 'task.cancel']);
    run(m, undo.plan);
    assert.equal(deriveRdpState(m).nla, true);
    assert.deepEqual(m.tasks, {});
    assert.deepEqual(comparableSnapshot(m), before);
  });
});

describe('a weakening undo is time-boxed', () => {
  it('undoing enable-tls12 turns TLS 1.2 back off for 60 minutes; the host then puts what the fix left back, deletions included', () => {
    const m = buildHost(['tls-disabled'], OPTS);
    const { undo } = applyWithUndo('enable-tls12', m, 'u-tls00001');
    const fixed = comparableSnapshot(m);
    const undone = undoPlan(undo, 'lab1');
    assert.equal(undone.risk, 'weakens-security');
    assert.equal(undone.timeBoxMinutes, 60);
    assert.equal(undone.impact.exposes, 'turns TLS 1.2\\Server\\DisabledByDefault back off; turns TLS 1.2\\Server\\Enabled back off', 'the card names what it weakens');
    assert.equal(undoPlan(undo, 'lab1').hash, undone.hash, 'the same record plans the same undo whenever it is built');
    const [box, ...rest] = undone.apply.ops;
    assert.ok(box?.op === 'task.scheduleRevert', 'the time box is armed before anything is weakened');
    assert.equal(box.name, undoRevertTaskName('u-tls00001'));
    const weakened = rest.filter((o) => o.op === 'reg.set' || o.op === 'reg.delete');
    assert.deepEqual(box.restore.map((r) => r.name).sort(), weakened.map((o) => (o.op === 'reg.set' || o.op === 'reg.delete' ? o.name : '')).sort());
    for (const r of box.restore) {
      const op = weakened.find((o) => (o.op === 'reg.set' || o.op === 'reg.delete') && o.name === r.name && o.path === r.path);
      assert.equal(r.wrote === null, op?.op === 'reg.delete', `${r.name}: a deletion restores only while absent`);
    }
    for (const r of run(m, undone.apply).results) assert.ok(r.ok, r.id);
    assert.notDeepEqual(comparableSnapshot(m), fixed, 'the undo weakened TLS');
    assert.equal(runDueTasks(m, new Date(NOW.getTime() + 61 * 60_000)).length, 1);
    assert.deepEqual(comparableSnapshot(m), fixed, 'when the box ends the host is as the fix left it');
  });

  it('an undo that weakens nothing has no time box', () => {
    const m = buildHost(['firewall-blocked'], OPTS);
    const { undo } = applyWithUndo('enable-rdp-firewall-rules', m, 'u-fw000001');
    const undone = undoPlan(undo, 'lab1');
    assert.equal(undone.risk, 'disruptive');
    assert.equal(undone.timeBoxMinutes, null);
    assert.equal(undone.impact.exposes, undefined, 'closing the port again opens nothing');
    assert.ok(!undone.apply.ops.some((o) => o.op === 'task.scheduleRevert'));
  });
});
