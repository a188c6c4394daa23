// The audit trail on a real redis-server: entries validated and redacted, per-host history,
// paged export (also through `rdp-medic audit export` as JSON lines).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { actorOf, AuditLog, exportAudit, redact, type AuditEntry } from '../../src/state/audit/index.ts';
import { parseSince } from '../../src/commands/audit.ts';
import { registerSecretValues, secretValuesIn } from '../../src/lib/scrub.ts';
import { createRedis, type Redis } from '../../src/state/redis.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';

const alice = { platform: 'console' as const, id: 'alice', name: 'alice', groups: [] };

async function collect(it: AsyncIterable<AuditEntry>): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

describe('audit: redaction', () => {
  it('drops secret-named keys (whole credential records too, as the logs do) at any depth and masks credentials in text', () => {
    const data = {
      host: 'work-pc',
      password: 'P@ss',
      credential: { username: 'admin', password: { value: 'x' } },
      headers: { Authorization: 'Basic YWRtaW46eHl6', accept: 'json' },
      nested: [{ botToken: 'xoxb-1', clientSecret: 's', note: 'sent with Bearer abcdefghijkl and xoxb-123-456-abc' }],
      when: new Date('2025-01-02T03:04:05Z'),
    };
    assert.deepEqual(redact(data), {
      host: 'work-pc',
      headers: { accept: 'json' },
      nested: [{ note: 'sent with Bearer [redacted] and xox?-[redacted]' }],
      when: '2025-01-02T03:04:05.000Z',
    });
  });
});

describe('audit (real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  let audit: AuditLog;
  before(async () => {
    server = await startRedisServer();
    redis = createRedis({ url: server.url });
    audit = new AuditLog(redis);
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('appends validated, redacted entries to the stream and the host index under one id', async () => {
    const id = await audit.append({ kind: 'command', host: 'work-pc', ...actorOf(alice), data: { text: 'check work-pc', token: 'xoxb-secret' } });
    const [main] = await collect(exportAudit(redis));
    assert.equal(main!.id, id);
    assert.deepEqual({ ...main, ts: 'x' }, { id, ts: 'x', kind: 'command', host: 'work-pc', actor: 'console:alice', actorName: '@alice', data: { text: 'check work-pc' } });
    assert.deepEqual(await audit.historyOf('work-pc', 5), [main]);
    assert.equal(JSON.stringify(await redis.xrange('rdp-medic:audit', '-', '+')).includes('xoxb-secret'), false);
  });

  it('is scrubbed as much as the logs: app tokens, URL passwords and the configured secrets by value', async () => {
    registerSecretValues(secretValuesIn({ credentials: { lab: { username: 'Administrator', password: { value: 'Winter-2026!' } } } }));
    const text = 'fix work-pc Winter-2026! with xapp-1-A0-1-abcdef0123 via redis://:hunter22@db:6379';
    const own = new AuditLog(redis, { prefix: 'scrub' });
    await own.append({ kind: 'command', host: 'scrub-pc', ...actorOf(alice), data: { text } });
    const [entry] = await own.historyOf('scrub-pc', 1);
    const stored = JSON.stringify(entry);
    for (const secret of ['Winter-2026!', 'xapp-1-A0-1-abcdef0123', 'hunter22']) assert.equal(stored.includes(secret), false, `${secret} in ${stored}`);
    assert.match(stored, /fix work-pc \[redacted\] with \[redacted\] via redis:\/\/:\[redacted\]@db:6379/);
  });

  it('refuses malformed entries; a plan entry must carry its hash and content', async () => {
    await assert.rejects(audit.append({ kind: 'gossip' as 'command', actor: 'bot' }));
    await assert.rejects(audit.append({ kind: 'plan', host: 'work-pc', actor: 'worker:w1', data: { plan: {} } }), /hash: sha256 hex, plan/);
    await audit.append({ kind: 'plan', host: 'work-pc', actor: 'worker:w1', data: { hash: 'b'.repeat(64), plan: { ops: [{ op: 'service.restart', name: 'TermService' }] } } });
  });

  it('history HOST: the newest entries of that host only, newest first', async () => {
    for (let i = 0; i < 12; i++) await audit.append({ kind: 'result', host: i % 2 ? 'build01' : 'build02', actor: 'worker:w1', data: { i } });
    await audit.append({ kind: 'decision', host: null, actor: 'bot', data: { global: true } });
    const h = await audit.historyOf('BUILD01', 3);
    assert.deepEqual(h.map((e) => (e.data as { i: number }).i), [11, 9, 7]);
    assert.ok(h.every((e) => e.host === 'build01'));
    assert.deepEqual(await audit.historyOf('never-seen', 3), []);
  });

  it('export pages through everything in order, and from a time on', async () => {
    const all = await collect(exportAudit(redis));
    const paged = await collect(exportAudit(redis, { pageSize: 2 }));
    assert.deepEqual(paged, all);
    assert.equal(all.length, 15);
    const mid = all[7]!;
    const since = new Date(Number(mid.id.split('-')[0]));
    const tail = await collect(exportAudit(redis, { since, pageSize: 3 }));
    assert.ok(tail.length >= all.length - 7 && tail.every((e) => Number(e.id.split('-')[0]) >= since.getTime()));
    assert.deepEqual(await collect(exportAudit(redis, { since: new Date(Date.now() + 3_600_000) })), []);
  });

  it('caps the stream length (MAXLEN ~)', async () => {
    const small = new AuditLog(redis, { prefix: 'capped', maxLen: 10, hostMaxLen: 5 });
    for (let i = 0; i < 500; i++) await small.append({ kind: 'command', host: 'h1', actor: 'bot', data: { i } });
    assert.ok((await redis.xlen('capped:audit')) < 500);
    assert.ok((await redis.xlen('capped:audit:host:h1')) < 500);
  });

  it('`rdp-medic audit export --since` writes JSON lines', async () => {
    const script = "import { Command } from 'commander'; import { register } from './src/commands/audit.ts'; const p = new Command(); register(p); await p.parseAsync(process.argv);";
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'x', 'audit', 'export', '--since', '1h', '--redis-url', server.url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    assert.equal(lines.length, 15);
    assert.equal(lines[0]!.kind, 'command');
  });

  it('--since accepts ISO times and ages, and refuses anything else', () => {
    const now = new Date('2025-06-01T12:00:00Z');
    assert.equal(parseSince('2h', now).toISOString(), '2025-06-01T10:00:00.000Z');
    assert.equal(parseSince('7d', now).toISOString(), '2025-05-25T12:00:00.000Z');
    assert.equal(parseSince('2025-01-02T03:04:05Z').toISOString(), '2025-01-02T03:04:05.000Z');
    assert.throws(() => parseSince('yesterday'), /expected an ISO date\/time/);
  });
});
