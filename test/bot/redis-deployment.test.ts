// Redis as deployments have it, against real redis-servers: the `redis` config block (Sentinel
// password, TLS, no silent plaintext), what bot and workers check at start (Cluster, replica,
// eviction, persistence, TLS) and how they say it, and a Sentinel + TLS + passwords connection.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { RedisSettings } from '../../src/config/redis-settings.ts';
import { connectRedis, redisConnectOptions } from '../../src/state/connect.ts';
import { checkRedis, longestSaveInterval } from '../../src/state/redis-checks.ts';
import { createRedis, isEncrypted, redisOptions, type Redis } from '../../src/state/redis.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';
import { startRedisNode, startSentinelGroup, type SentinelGroup } from '../fakes/redis-sentinel.ts';

const STRICT = { requirePersistence: true, requireNoEviction: true };
const PLAIN = { expectTls: false, sentinel: false, confirmReplicas: 0 };

describe('redis settings: TLS and Sentinel options', () => {
  it('refuses TLS settings with a redis:// URL, and Sentinel options without sentinels', () => {
    const bad = RedisSettings.safeParse({ url: 'redis://db:6379', tls: { ca: 'ca.pem' }, sentinelPassword: { env: 'X' } });
    assert.equal(bad.success, false);
    const messages = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    assert.ok(messages.includes('tls: TLS settings need a rediss:// URL; redis:// would connect in plaintext'), messages.join('\n'));
    assert.ok(messages.includes('sentinelPassword: sentinelPassword needs sentinels'), messages.join('\n'));
  });

  it('rediss:// with Sentinel connects to the data nodes over TLS (ioredis alone would not), with the sentinel password and failover detection', async () => {
    const settings = RedisSettings.parse({ url: 'rediss://:pw@ignored:1/2', sentinels: [{ host: '127.0.0.1', port: 26379 }], sentinelPassword: { value: 's3cret' }, sentinelTls: true, name: 'rdp' });
    const { options } = redisOptions(await redisConnectOptions(settings, 'test'));
    assert.equal(options.enableTLSForSentinelMode, true);
    assert.deepEqual(options.tls, {});
    assert.deepEqual(options.sentinelTLS, {});
    assert.equal(options.sentinelPassword, 's3cret');
    assert.equal(options.failoverDetector, true);
    assert.deepEqual([options.password, options.db, options.name], ['pw', 2, 'rdp']);
  });

  it('a scheme in capitals is still TLS; TLS options with a plaintext URL from REDIS_URL are refused', async () => {
    assert.ok(redisOptions({ url: 'REDISS://db:6380' }).options.tls);
    assert.equal(redisOptions({ url: 'redis://db:6379' }).options.tls, undefined);
    const saved = process.env['REDIS_URL'];
    process.env['REDIS_URL'] = 'redis://db:6379';
    try {
      await assert.rejects(redisConnectOptions(RedisSettings.parse({ url: 'rediss://db:6380', tls: {} }), 'test'), /TLS settings are given but the Redis URL redis:\/\/db:6379 is redis:\/\/: use rediss:\/\//);
    } finally {
      if (saved === undefined) delete process.env['REDIS_URL'];
      else process.env['REDIS_URL'] = saved;
    }
  });

  it('RDB save rules: the longest interval', () => {
    assert.equal(longestSaveInterval('3600 1 300 100 60 10000'), 3600);
    assert.equal(longestSaveInterval(''), 0);
  });
});

describe('start-up checks (real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  before(async () => {
    server = await startRedisServer({ appendonly: true });
    redis = createRedis({ url: server.url });
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('AOF on, noeviction, primary: fit', async () => {
    assert.deepEqual(await checkRedis(redis, STRICT, PLAIN), { problems: [], warnings: [] });
  });

  it('no persistence at all: refused, saying what to change (or how to opt out)', async () => {
    await redis.config('SET', 'appendonly', 'no');
    try {
      const r = await checkRedis(redis, STRICT, PLAIN);
      assert.equal(r.problems.length, 1);
      assert.match(r.problems[0]!, /it does not persist: AOF is off \(appendonly no\) and RDB snapshots are off \(save ""\); a restart loses every approval, lock and queued fix\. To fix: turn on AOF .*; or set redis\.requirePersistence: false/);
      const optedOut = await checkRedis(redis, { ...STRICT, requirePersistence: false }, PLAIN);
      assert.deepEqual(optedOut.problems, []);
      assert.match(optedOut.warnings[0]!, /does not persist.*redis\.requirePersistence is false: starting anyway/);
    } finally {
      await redis.config('SET', 'appendonly', 'yes');
    }
  });

  it('RDB snapshots only: fit, with a warning of how much a crash loses', async () => {
    await redis.config('SET', 'appendonly', 'no');
    await redis.config('SET', 'save', '900 1 300 10');
    try {
      const r = await checkRedis(redis, STRICT, PLAIN);
      assert.deepEqual(r.problems, []);
      assert.match(r.warnings.join('\n'), /RDB snapshots only \("save 900 1 300 10"\), so a crash loses up to 15 min/);
    } finally {
      await redis.config('SET', 'save', '');
      await redis.config('SET', 'appendonly', 'yes');
    }
  });

  it('an eviction policy with a maxmemory: refused; without a maxmemory: a warning', async () => {
    await redis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      assert.deepEqual((await checkRedis(redis, STRICT, PLAIN)).problems, []);
      assert.match((await checkRedis(redis, STRICT, PLAIN)).warnings.join('\n'), /maxmemory-policy is allkeys-lru.*no maxmemory is set/);
      await redis.config('SET', 'maxmemory', '512mb');
      const r = await checkRedis(redis, STRICT, PLAIN);
      assert.match(r.problems.join('\n'), /maxmemory-policy is allkeys-lru: when memory fills, Redis drops keys.*Set maxmemory-policy noeviction.*or set redis\.requireNoEviction: false/);
      assert.deepEqual((await checkRedis(redis, { ...STRICT, requireNoEviction: false }, PLAIN)).problems, []);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
      await redis.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });

  it('a plaintext connection where rediss:// asked for TLS is refused', async () => {
    assert.match((await checkRedis(redis, STRICT, { ...PLAIN, expectTls: true })).problems.join('\n'), /not TLS although the URL is rediss:\/\/: refusing to send anything in plaintext/);
  });

  it('a replica is refused (it refuses writes)', async () => {
    const replica = await startRedisServer({ appendonly: true });
    const r = createRedis({ url: replica.url });
    try {
      await r.call('REPLICAOF', '127.0.0.1', String(server.port));
      assert.match((await checkRedis(r, STRICT, PLAIN)).problems.join('\n'), /it is a replica \(role:slave\), which refuses writes: point redis\.url at the primary, or use redis\.sentinels/);
    } finally {
      await r.quit();
      await replica.stop();
    }
  });
});

describe('start-up checks: Redis Cluster and a managed Redis without CONFIG', () => {
  it('Redis Cluster is refused with what to use instead', async () => {
    const node = await startRedisNode(['cluster-enabled yes', 'appendonly yes']);
    const r = createRedis({ url: node.url });
    try {
      const report = await checkRedis(r, STRICT, PLAIN);
      assert.equal(report.problems.length, 1);
      assert.match(report.problems[0]!, /it is a Redis Cluster, which rdp-medic does not support .*Use one primary with replicas, and Sentinel for failover; on a managed Redis, its non-cluster mode/);
    } finally {
      r.disconnect();
      await node.stop();
    }
  });

  it('CONFIG disabled (as managed offerings do) and AOF off: judged by the snapshots INFO shows', async () => {
    const node = await startRedisNode(['appendonly no', 'save ""', 'rename-command CONFIG ""']);
    const r = createRedis({ url: node.url });
    try {
      // A fresh server: nothing changed since its start, so nothing can be lost yet.
      assert.match((await checkRedis(r, STRICT, PLAIN)).warnings.join('\n'), /save rules cannot be read \(CONFIG is disabled\); the last RDB snapshot was \d+ s ago/);
    } finally {
      r.disconnect();
      await node.stop();
    }
  });
});

describe('Sentinel with passwords and TLS everywhere (real redis-server sentinels)', () => {
  let group: SentinelGroup;
  before(async () => {
    group = await startSentinelGroup({ sentinels: 1, password: 'data-pw', sentinelPassword: 'sentinel-pw', tls: true });
  });
  after(async () => group.stop());

  const settings = (extra: Record<string, unknown> = {}): RedisSettings =>
    RedisSettings.parse({
      url: 'rediss://ignored:1',
      sentinels: group.sentinels,
      name: group.name,
      password: { value: 'data-pw' },
      sentinelPassword: { value: 'sentinel-pw' },
      tls: { ca: group.tlsFiles!.ca },
      sentinelTls: true,
      ...extra,
    });

  it('connects to the primary the sentinels name, over TLS, and is fit', async () => {
    const r = await connectRedis(settings(), 'test', undefined, { maxConnectAttempts: 3 });
    try {
      assert.equal(await r.ping(), 'PONG');
      assert.equal(isEncrypted(r), true, 'TLS to the data node');
      assert.equal(((await r.call('ROLE')) as string[])[0], 'master');
      assert.deepEqual((await checkRedis(r, STRICT, { expectTls: true, sentinel: true, confirmReplicas: 1 })).problems, []);
    } finally {
      r.disconnect();
    }
  });

  it('a wrong sentinel password fails, and the error does not show it', async () => {
    const r = await connectRedis(settings({ sentinelPassword: { value: 'not-the-sentinel-pw' } }), 'test', undefined, { maxConnectAttempts: 1, connectTimeoutMs: 2_000 });
    r.on('error', () => undefined);
    try {
      const e = (await r.ping().then(
        () => null,
        (err: Error) => err,
      ))!;
      assert.ok(e, 'no error');
      assert.match(e.message, /WRONGPASS/);
      assert.doesNotMatch(e.message, /not-the-sentinel-pw/);
    } finally {
      r.disconnect();
    }
  });
});

describe('bot and worker refuse to start on a Redis that keeps nothing', () => {
  let server: RedisServer;
  let dir: string;
  before(async () => {
    server = await startRedisServer();
    dir = mkdtempSync(join(tmpdir(), 'rdp-medic-redis-fit-'));
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('`rdp-medic worker` exits 1 and says what is wrong and how to change it', async () => {
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      stringify({
        credentials: { lab: { username: 'Administrator', password: { value: 'pw' } } },
        hosts: { 'work-pc': { winrm: { url: 'http://127.0.0.1:1/wsman', auth: 'ntlm', credential: 'lab' } } },
        redis: { url: server.url },
      }),
    );
    const child = spawn(process.execPath, ['bin/rdp-medic.js', 'worker', '--config', file], { env: { ...process.env, REDIS_URL: '', RDP_MEDIC_OPS_PORT: '0', LOG_LEVEL: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 2, output); // a configuration error: nothing was started
    assert.match(output, new RegExp(`Redis \\(redis://127\\.0\\.0\\.1:${server.port}/?\\) is not fit for rdp-medic:\\n  - it does not persist: AOF is off`));
    assert.match(output, /set redis\.requirePersistence: false to run without/);
  });
});
