// Records in Redis carry their format version; one this version cannot read (an older or newer
// rdp-medic wrote it) is reported once and skipped, never misread and never spun on. Real
// redis-server; the fix lock's command count is read from the server itself.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { busyMessage, FixLock, isForeignLock } from '../../src/state/fix-lock.ts';
import { ConversationStore } from '../../src/state/conversations.ts';
import { DiagnosisStore } from '../../src/state/diagnoses.ts';
import { RedisUndoStore } from '../../src/state/undo-store-redis.ts';
import { AuditLog, exportAudit, type AuditEntry } from '../../src/state/audit/index.ts';
import { RecordFormat, type ForeignRecord } from '../../src/state/record.ts';
import { ApprovalStore } from '../../src/state/approvals/index.ts';
import { DeadLetters, type DeadLetter } from '../../src/state/dead-letters.ts';
import { UnconfirmedPosts } from '../../src/state/unconfirmed-posts.ts';
import { policyGate } from '../../src/policy/index.ts';
import { Policy } from '../../src/config/policy.ts';
import { createRedis, type Redis } from '../../src/state/redis.ts';
import { withTimeout } from '../../src/lib/with-timeout.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';

const alice = { platform: 'console' as const, id: 'alice', name: 'alice', groups: [] };

let server: RedisServer;
let redis: Redis;
before(async () => {
  server = await startRedisServer();
  redis = createRedis({ url: server.url });
});
after(async () => {
  await redis.quit();
  await server.stop();
});

const commandsProcessed = async (): Promise<number> => Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))?.[1]);

function reports(): { seen: ForeignRecord[]; report: (r: ForeignRecord) => void } {
  const seen: ForeignRecord[] = [];
  return { seen, report: (r) => seen.push(r) };
}

describe('RecordFormat', () => {
  const Thing = z.object({ name: z.string() }).strict();
  const format = new RecordFormat('thing', 3, Thing);
  it('writes the version beside the fields and reads its own', () => {
    const raw = format.encode({ name: 'x' });
    assert.deepEqual(JSON.parse(raw), { v: 3, name: 'x' });
    assert.deepEqual(format.read(raw), { ok: true, value: { name: 'x' } });
  });
  it('says why it cannot read the others', () => {
    assert.match((format.read('{"v":4,"name":"x"}') as { problem: string }).problem, /format 4 \(another version of rdp-medic\); this version reads format 3/);
    assert.match((format.read('job:42') as { problem: string }).problem, /not JSON/);
    assert.match((format.read('[1]') as { problem: string }).problem, /not a JSON object/);
    assert.match((format.read('{"owner":"x"}') as { problem: string }).problem, /without a format version .*name/);
    assert.deepEqual(format.read('{"name":"legacy"}'), { ok: true, value: { name: 'legacy' } }, 'an unversioned record of the same shape is read');
  });
});

describe('fix lock: a value from another version is busy until it expires, never spun on', () => {
  const OLD_VALUES: [string, string][] = [
    ['a bare owner string (not JSON)', 'job:fix.apply.a_old'],
    ['an older JSON shape', JSON.stringify({ owner: 'job:fix.apply.a_old', host: 'work-pc' })],
    ['a newer format', JSON.stringify({ v: 2, owner: 'job:x', by: alice, what: 'x', since: new Date().toISOString(), lease: 3 })],
  ];
  for (const [what, value] of OLD_VALUES) {
    it(what, async () => {
      const { seen, report } = reports();
      const locks = new FixLock(redis, 'lock-old', { report });
      const key = 'lock-old:fixlock:work-pc';
      await redis.set(key, value, 'PX', 5 * 60_000);
      const before = await commandsProcessed();
      const r = await withTimeout(locks.acquire('work-pc', { owner: 'job:new', by: alice, what: 'regenerate the RDP certificate' }), 2_000, 'acquire');
      const used = (await commandsProcessed()) - before;
      assert.ok(used <= 5, `acquire used ${used} Redis commands`);
      assert.equal(r.ok, false);
      const holder = (r as { holder: Parameters<typeof busyMessage>[1] }).holder;
      assert.ok(isForeignLock(holder));
      assert.match(busyMessage('work-pc', holder), /^work-pc is locked by a fix lock this version of rdp-medic cannot read \(.+\)\. It expires in [45] min; try again then/);
      assert.equal(seen.length, 1);
      assert.deepEqual([seen[0]!.store, seen[0]!.key], ['fix lock', key]);
      // Never overwritten, never released by someone else.
      await locks.release('work-pc', 'job:new');
      assert.equal(await redis.get(key), value);
      assert.ok(isForeignLock((await locks.holder('work-pc'))!));
    });
  }

  it('a foreign lock without an expiry says how to remove it', async () => {
    const locks = new FixLock(redis, 'lock-forever');
    await redis.set('lock-forever:fixlock:db-01', 'job:ancient');
    const r = await locks.acquire('db-01', { owner: 'job:new', by: alice, what: 'x' });
    assert.equal(r.ok, false);
    assert.match(busyMessage('db-01', (r as { holder: Parameters<typeof busyMessage>[1] }).holder), /It never expires: .*redis-cli DEL lock-forever:fixlock:db-01/);
  });

  it("an unversioned lock of today's shape (written before versions) is its holder", async () => {
    const locks = new FixLock(redis, 'lock-legacy');
    const holder = { owner: 'job:1', by: alice, what: 'restart TermService', since: new Date().toISOString() };
    await redis.set('lock-legacy:fixlock:web-01', JSON.stringify(holder), 'PX', 60_000);
    assert.deepEqual(await locks.holder('web-01'), holder);
    assert.equal((await locks.acquire('web-01', { owner: 'job:1', by: alice, what: 'x' })).ok, true, 'its owner re-takes it');
    const mine = JSON.parse((await redis.get('lock-legacy:fixlock:web-01'))!) as { v?: number };
    assert.equal(mine.v, undefined, 'left as it was');
    await locks.release('web-01', 'job:1');
    assert.equal(await redis.get('lock-legacy:fixlock:web-01'), null);
    await locks.acquire('web-01', { owner: 'job:2', by: alice, what: 'x' });
    assert.equal((JSON.parse((await redis.get('lock-legacy:fixlock:web-01'))!) as { v: number }).v, 1, 'new locks carry their version');
  });
});

describe('stores skip and report what another version wrote', () => {
  it('conversations: a foreign record is gone for this version; a foreign receipt still counts as delivered', async () => {
    const { seen, report } = reports();
    const conversations = new ConversationStore(redis, 'conv-v', { report });
    const ref = { platform: 'console' as const, channel: 'C1', rootMessageId: null, threadId: null, handle: null };
    const made = await conversations.create({ id: 'r-0000000001', kind: 'check', ref, requester: alice, createdAt: new Date().toISOString(), subject: 'work-pc' });
    assert.equal((JSON.parse((await redis.get('conv-v:conv:r-0000000001'))!) as { v: number }).v, 1);
    assert.deepEqual(await conversations.get(made.id), made);
    await redis.set('conv-v:conv:r-0000000002', JSON.stringify({ v: 7, id: 'r-0000000002', everything: 'different' }));
    assert.equal(await conversations.get('r-0000000002'), null);
    await redis.hset('conv-v:conv:r-0000000001:msgs', 'root', '{"v":9,"ts":"1.2"}');
    assert.deepEqual(await conversations.receipt('r-0000000001', 'root'), { messageId: '', threadId: null });
    assert.deepEqual(
      seen.map((s) => s.store),
      ['conversation', 'delivery receipt'],
    );
  });

  it('undo records: a foreign one is not loaded, listed or marked undone', async () => {
    const { seen, report } = reports();
    const undo = new RedisUndoStore(redis, 'undo-v', { report });
    const record = { undoId: 'u-7k3m9qzx', host: 'WORK-PC', targetId: 'work-pc', fixId: 'regenerate-rdp-certificate', createdAt: new Date().toISOString(), plan: { version: 1, ops: [] }, revertTask: null };
    await undo.save(record as never);
    assert.equal((await undo.list('work-pc')).length, 1);
    await redis.set('undo-v:undo:u-7k3m9qzx', JSON.stringify({ v: 2, ...record }));
    assert.equal(await undo.load('u-7k3m9qzx'), null);
    assert.deepEqual(await undo.list('work-pc'), []);
    await assert.rejects(undo.markUndone('u-7k3m9qzx', new Date().toISOString()), /no undo record u-7k3m9qzx that this version can read/);
    assert.equal(seen.length >= 1 && seen.every((s) => s.store === 'undo record'), true);
  });

  it("diagnoses: another version's last diagnosis reads as none", async () => {
    const { seen, report } = reports();
    const diagnoses = new DiagnosisStore(redis, 'diag-v', { report });
    await redis.set('diag-v:last:work-pc', JSON.stringify({ v: 5, at: new Date().toISOString(), verdict: 'ok' }));
    assert.equal(await diagnoses.last('work-pc'), null);
    assert.equal(seen[0]?.store, 'last diagnosis');
  });

  it('audit: entries of another format are left out of history and export, and reported', async () => {
    const { seen, report } = reports();
    const audit = new AuditLog(redis, { prefix: 'audit-v', report });
    await audit.append({ kind: 'command', host: 'work-pc', actor: 'console:alice', data: { text: 'check work-pc', outcome: 'accepted', subcommand: 'check' } });
    const id = await redis.xadd('audit-v:audit', '*', 'v', '2', 'ts', new Date().toISOString(), 'kind', 'telepathy', 'host', 'work-pc', 'actor', 'bot', 'data', '{}');
    await redis.xadd('audit-v:audit:host:work-pc', id!, 'v', '2', 'ts', new Date().toISOString(), 'kind', 'telepathy', 'host', 'work-pc', 'actor', 'bot', 'data', '{}');
    const all: AuditEntry[] = [];
    for await (const e of exportAudit(redis, { prefix: 'audit-v', report })) all.push(e);
    assert.deepEqual(all.map((e) => e.kind), ['command']);
    assert.deepEqual((await audit.historyOf('work-pc', 10)).map((e) => e.kind), ['command']);
    assert.equal(seen.length, 2);
    assert.match(seen[0]!.problem, /format "2"/);
  });
});

describe('approvals, dead letters and unconfirmed-post marks carry versions too', () => {
  const bob = { platform: 'console' as const, id: 'bob', name: 'bob', groups: [] };
  const policy = policyGate(Policy.parse({ roles: { responder: ['console:alice'], approver: ['console:bob'] }, approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] } }));
  const where = { platform: 'console' as const, channel: 'console', rootMessageId: null, threadId: null, handle: null };
  const request = { host: 'work-pc', fixId: 'restart-termservice', planHash: 'b'.repeat(64), risk: 'disruptive' as const, requester: alice, conversation: where };

  it('approvals: a record of another format is reported, refused by every transition and left as it was', async () => {
    const { seen, report } = reports();
    const approvals = new ApprovalStore(redis, { policy, expiryMinutes: 15, prefix: 'appr-v', report });
    const mine = await approvals.create(request);
    assert.equal(await redis.hget(`appr-v:approval:${mine.id}`, 'v'), '1');
    // Another version's record, already past its expiry and in the pending index.
    const key = 'appr-v:approval:a_fromthefuture';
    await redis.hset(key, 'v', '2', 'id', 'a_fromthefuture', 'state', 'pending', 'expiresAt', String(Date.now() - 1000), 'host', 'work-pc', 'riskLevel', '7');
    await redis.zadd('appr-v:approvals:pending', Date.now() - 1000, 'a_fromthefuture');
    const before = await redis.hgetall(key);
    assert.equal(await approvals.get('a_fromthefuture'), null);
    const approved = await approvals.approve('a_fromthefuture', bob);
    assert.equal(approved.ok, false);
    assert.match((approved as { reason: string }).reason, /^approval a_fromthefuture was made by another version of rdp-medic, which this version cannot read or change; ask for the fix again$/);
    assert.equal((await approvals.start('a_fromthefuture', 'job:1')).ok, false);
    assert.equal((await approvals.finish('a_fromthefuture', 'done', { ok: true, message: 'x', undoId: null })).ok, false);
    assert.deepEqual(await approvals.expireDue(), [], 'not expired by this version');
    assert.deepEqual(await redis.hgetall(key), before, 'nothing written to it');
    assert.ok(seen.length >= 1 && seen.every((s) => s.store === 'approval' && s.key === key));
    assert.match(seen[0]!.problem, /format "2"/);
    // Its own records still work beside it.
    assert.equal((await approvals.approve(mine.id, bob)).ok, true);
  });

  it("approvals: an unversioned hash of today's shape (written before versions) is read and moved", async () => {
    const approvals = new ApprovalStore(redis, { policy, expiryMinutes: 15, prefix: 'appr-legacy' });
    const made = await approvals.create(request);
    await redis.hdel(`appr-legacy:approval:${made.id}`, 'v');
    assert.equal((await approvals.get(made.id))?.state, 'pending');
    assert.equal((await approvals.approve(made.id, bob)).ok, true);
  });

  const letter = (id: string): DeadLetter => ({
    id,
    platform: 'console',
    conversationId: 'r-0000000009',
    keys: ['root'],
    reason: 'platform answered 500',
    failedAt: new Date().toISOString(),
    failingSince: null,
    attempts: 3,
    job: { platform: 'console', conversationId: 'r-0000000009', messages: [{ op: 'root', key: 'root', card: { title: 'work-pc', status: 'running', sections: [], actions: [] } }] },
  });

  it('dead letters: entries another version wrote are reported and skipped by list, get and take, and left for it', async () => {
    const { seen, report } = reports();
    const letters = new DeadLetters(redis, 'dl-v', { report });
    await letters.add(letter('deliver.mine'));
    assert.equal((JSON.parse((await redis.get('dl-v:dead-letter:deliver.mine'))!) as { v: number }).v, 1);
    for (const [id, raw] of [
      ['deliver.newer', JSON.stringify({ v: 3, id: 'deliver.newer', payload: 'other' })],
      ['deliver.garbled', 'deliver.garbled'],
    ] as const) {
      await redis.set(`dl-v:dead-letter:${id}`, raw, 'PX', 60_000);
      await redis.zadd('dl-v:dead-letters', Date.now(), id);
    }
    assert.deepEqual((await letters.list()).map((l) => l.id), ['deliver.mine']);
    assert.equal(await letters.get('deliver.newer'), null);
    assert.equal(await letters.take('deliver.newer'), null);
    assert.ok(await redis.get('dl-v:dead-letter:deliver.newer'), 'left for the version that wrote it');
    assert.equal(await letters.count(), 3, 'still counted: something is undelivered');
    assert.deepEqual([...new Set(seen.map((s) => s.key))].sort(), ['dl-v:dead-letter:deliver.garbled', 'dl-v:dead-letter:deliver.newer']);
    assert.equal((await letters.take('deliver.mine'))?.id, 'deliver.mine');
    assert.equal(await letters.take('deliver.mine'), null, 'taken once');
  });

  it('unconfirmed-post marks: one this version cannot read still means "look before posting"', async () => {
    const { seen, report } = reports();
    const marks = new UnconfirmedPosts(redis, 'up-v', { report, ttlMs: 60_000 });
    await marks.begin('r-0000000001', 'root', 1_700_000_000_000);
    assert.deepEqual(JSON.parse((await redis.hget('up-v:conv:r-0000000001:unconfirmed', 'root'))!), { v: 1, at: 1_700_000_000_000 });
    assert.equal((await marks.since('r-0000000001', 'root'))?.getTime(), 1_700_000_000_000);
    await redis.hset('up-v:conv:r-0000000002:unconfirmed', 'root', '{"v":2,"when":"yesterday"}');
    const now = Date.now();
    assert.equal((await marks.since('r-0000000002', 'root', now))?.getTime(), now - 60_000, 'in doubt since the oldest a mark can be');
    assert.equal(await marks.since('r-0000000003', 'root'), null);
    assert.deepEqual(seen.map((s) => s.store), ['unconfirmed post']);
  });
});
