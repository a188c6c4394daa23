// Approvals against a real redis-server: one-way transitions, atomic under concurrency (50
// approvers on 50 connections: one wins, 49 are told who won), expiry by the server's clock, and
// policy (roles on the approval's host, four-eyes by person) before any transition.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApprovalStore, type ApprovalRecord } from '../../src/state/approvals/index.ts';
import type { ChatUser, ConversationRef } from '../../src/chat/model.ts';
import { policyGate } from '../../src/policy/index.ts';
import { createRedis, type Redis } from '../../src/state/redis.ts';
import { Policy } from '../../src/config/policy.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';

const user = (id: string): ChatUser => ({ platform: 'slack', id, name: id.toLowerCase(), groups: [] });
const APPROVERS = Array.from({ length: 50 }, (_, i) => user(`UAPPROVER${i}`));
const alice = user('UALICE');
const bob = APPROVERS[0]!;
const mallory = user('UMALLORY');
const WHERE: ConversationRef = { platform: 'slack', channel: 'C0OPS', rootMessageId: '1700000000.000100', threadId: '1700000000.000100', handle: null };
const HASH = 'a'.repeat(64);

const POLICY = Policy.parse({
  roles: { responder: ['slack:UALICE'], approver: APPROVERS.map((u) => `slack:${u.id}`) },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
});

describe('approvals (real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  let store: ApprovalStore;
  const request = (risk: ApprovalRecord['risk'] = 'disruptive', requester = alice) => ({ host: 'work-pc', fixId: 'regenerate-rdp-certificate', planHash: HASH, risk, requester, conversation: WHERE });

  before(async () => {
    server = await startRedisServer();
    redis = createRedis({ url: server.url });
    store = new ApprovalStore(redis, { policy: policyGate(POLICY), expiryMinutes: 15 });
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('creates a pending record that holds references, never the plan', async () => {
    const r = await store.create(request());
    assert.equal(r.state, 'pending');
    assert.match(r.id, /^a_/);
    assert.equal(Date.parse(r.expiresAt) - Date.parse(r.createdAt), 15 * 60_000);
    assert.deepEqual(await store.get(r.id), r);
    const raw = await redis.hgetall(`rdp-medic:approval:${r.id}`);
    assert.deepEqual(Object.keys(raw).sort(), ['conversation', 'createdAt', 'expiresAt', 'fixId', 'host', 'id', 'planHash', 'requester', 'risk', 'state', 'v']);
    assert.ok((await redis.pttl(`rdp-medic:approval:${r.id}`)) > 15 * 60_000);
  });

  it('50 concurrent approvals on 50 connections: exactly one wins, 49 are told who did', async () => {
    const { id } = await store.create(request());
    const conns = APPROVERS.map(() => createRedis({ url: server.url }));
    try {
      const stores = conns.map((c) => new ApprovalStore(c, { policy: policyGate(POLICY), expiryMinutes: 15 }));
      const results = await Promise.all(stores.map((s, i) => s.approve(id, APPROVERS[i]!)));
      const winners = results.filter((r) => r.ok);
      assert.equal(winners.length, 1);
      const winner = winners[0]!.record!.decidedBy!;
      for (const r of results.filter((x) => !x.ok)) {
        assert.ok(!r.ok);
        assert.match(r.reason, new RegExp(`^already approved by @${winner.name} (just now|\\d+ s ago)$`));
      }
      assert.equal((await store.get(id))!.state, 'approved');

      // start: approved -> running exactly once, under the same concurrency.
      const starts = await Promise.all(stores.map((s, i) => s.start(id, `job-${i}`)));
      assert.equal(starts.filter((r) => r.ok).length, 1);
      const running = await store.get(id);
      assert.equal(running!.state, 'running');
      for (const r of starts.filter((x) => !x.ok)) assert.ok(!r.ok && /^already approved by .*; the fix is running \(started /.test(r.reason), !r.ok ? r.reason : '');
    } finally {
      await Promise.all(conns.map((c) => c.quit()));
    }
  });

  it('finish: running -> done once, with the result; then records are kept for a while', async () => {
    const { id } = await store.create(request());
    assert.ok((await store.approve(id, bob)).ok);
    assert.ok((await store.start(id, 'job-1')).ok);
    const done = await store.finish(id, 'done', { ok: true, message: 'certificate regenerated; RDP answers with TLS again', undoId: 'u-abcdefgh' });
    assert.ok(done.ok);
    assert.equal(done.record.state, 'done');
    assert.equal(done.record.result?.undoId, 'u-abcdefgh');
    const again = await store.finish(id, 'failed', { ok: false, message: 'x', undoId: null });
    assert.ok(!again.ok && again.reason.includes('the fix finished: certificate regenerated'));
    const ttl = await redis.pttl(`rdp-medic:approval:${id}`);
    assert.ok(ttl > 0 && ttl <= 7 * 24 * 3600_000);
  });

  it('transitions are one-way: no start before approval, no approval after rejection', async () => {
    const { id } = await store.create(request());
    const early = await store.start(id, 'job-x');
    assert.ok(!early.ok && early.reason.startsWith('not approved yet: waiting for an approver since'));
    const rejected = await store.reject(id, bob);
    assert.ok(rejected.ok);
    assert.equal(rejected.record.state, 'rejected');
    const late = await store.approve(id, APPROVERS[1]!);
    assert.ok(!late.ok);
    assert.match(late.reason, /^rejected by @uapprover0 (just now|\d+ s ago)$/);
    assert.ok(!(await store.start(id, 'job-x')).ok);
  });

  it('an expired approval is refused with when it expired (server clock), and the sweep marks it', async () => {
    const quick = new ApprovalStore(redis, { policy: policyGate(POLICY), expiryMinutes: 0 });
    const { id, expiresAt } = await quick.create(request());
    const r = await store.approve(id, bob);
    assert.ok(!r.ok);
    assert.equal(r.reason, `expired at ${expiresAt.slice(0, 10)} ${expiresAt.slice(11, 19)} UTC (approvals last 0 minutes); ask for the fix again`);
    assert.equal((await store.get(id))!.state, 'expired');

    const second = await quick.create(request());
    const swept = await store.expireDue();
    assert.deepEqual(swept.map((s) => s.id), [second.id]);
    assert.equal((await store.get(second.id))!.state, 'expired');
    assert.deepEqual(await store.expireDue(), []);
    assert.equal(await redis.zscore('rdp-medic:approvals:pending', second.id), null);
  });

  it('policy before the transition: self-approval of a disruptive fix is refused (four-eyes)', async () => {
    const { id } = await store.create(request('disruptive', bob));
    const r = await store.approve(id, bob);
    assert.ok(!r.ok);
    assert.match(r.reason, /^@uapprover0 may not approve their own disruptive fix \(four-eyes\): it needs someone else with the approver role/);
    assert.equal((await store.get(id))!.state, 'pending');
    // A safe fix is not under four-eyes by default.
    const safe = await store.create(request('safe', bob));
    assert.ok((await store.approve(safe.id, bob)).ok);
  });

  it('policy before the transition: a user without the role is told who can approve', async () => {
    const { id } = await store.create(request('weakens-security'));
    const r = await store.approve(id, mallory);
    assert.ok(!r.ok);
    assert.equal(r.reason, '@umallory may not approve weakens-security fixes: slack:UMALLORY has no rdp-medic role. Who can: the approver role (slack:UAPPROVER0, slack:UAPPROVER1, slack:UAPPROVER2, slack:UAPPROVER3, slack:UAPPROVER4 and 45 more).');
    const byRequester = await store.approve(id, alice);
    assert.ok(!byRequester.ok && byRequester.reason.includes('four-eyes'));
    assert.equal((await store.get(id))!.state, 'pending');
  });

  it('four-eyes compares people: a second account of the requester (console+Slack, Slack+Discord) changes nothing', async () => {
    const policy = Policy.parse({
      roles: { approver: ['slack:UALICE', 'discord:111111111111111111', 'slack:UAPPROVER0'] },
      people: { alice: ['console:alice', 'slack:UALICE'], dana: ['slack:UDANA', 'discord:111111111111111111'] },
      approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
    });
    const people = new ApprovalStore(redis, { policy: policyGate(policy), expiryMinutes: 15 });
    const aliceConsole: ChatUser = { platform: 'console', id: 'alice', name: 'alice', groups: [] };
    const danaDiscord: ChatUser = { platform: 'discord', id: '111111111111111111', name: 'dana', groups: [] };
    for (const [requester, approver, accounts] of [
      [aliceConsole, alice, 'slack:UALICE and console:alice are both alice'],
      [user('UDANA'), danaDiscord, 'discord:111111111111111111 and slack:UDANA are both dana'],
    ] as const) {
      const { id } = await people.create(request('disruptive', requester));
      // Both accounts at once: neither gets through, whichever the store sees first.
      const results = await Promise.all([people.approve(id, approver), people.approve(id, approver)]);
      for (const r of results) assert.ok(!r.ok && r.reason.includes(`(four-eyes): ${accounts} (policy.people)`), !r.ok ? r.reason : 'approved');
      assert.equal((await people.get(id))!.state, 'pending');
      // Someone else does.
      assert.ok((await people.approve(id, bob)).ok);
    }
  });

  it('a scoped approver approves on the hosts its role covers, nowhere else', async () => {
    const policy = Policy.parse({
      roles: { responder: ['slack:UALICE'], 'lab-approver': { members: ['slack:UAPPROVER0'], scope: ['group:lab'] } },
      approve: { safe: ['lab-approver'], disruptive: ['lab-approver'], 'weakens-security': ['lab-approver'] },
    });
    const hosts = { 'lab-pc': { groups: ['lab'], tags: [] }, 'work-pc': { groups: ['office'], tags: [] } };
    const scoped = new ApprovalStore(redis, { policy: policyGate(policy, hosts), expiryMinutes: 15 });
    const office = await scoped.create(request('safe'));
    const refused = await scoped.approve(office.id, bob);
    assert.ok(!refused.ok);
    assert.equal(refused.reason, '@uapprover0 may not approve safe fixes on work-pc: your roles (lab-approver) cover group:lab only. Who can: nobody (no role for it covers work-pc).');
    assert.equal((await scoped.get(office.id))!.state, 'pending');
    const lab = await scoped.create({ ...request('safe'), host: 'lab-pc' });
    assert.ok((await scoped.approve(lab.id, bob)).ok);
  });

  it('an unknown approval says so', async () => {
    const r = await store.approve('a_doesnotexist', bob);
    assert.ok(!r.ok);
    assert.equal(r.record, null);
    assert.match(r.reason, /^no approval a_doesnotexist/);
  });
});
