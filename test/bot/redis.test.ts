// The Redis harness and connection factory against a real redis-server: AOF survives a crash and
// restart on the same port, clients reconnect by themselves, and a URL's password never reaches a log.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createRedis, redactRedisUrl, redisOptions, retryDelayMs, type Redis } from '../../src/state/redis.ts';
import { createLogger } from '../../src/log.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';

describe('createRedis: options', () => {
  it('defaults to REDIS_URL, then localhost, with BullMQ-compatible options', () => {
    const saved = process.env['REDIS_URL'];
    try {
      delete process.env['REDIS_URL'];
      assert.equal(redisOptions().url, 'redis://127.0.0.1:6379');
      process.env['REDIS_URL'] = 'redis://10.0.0.9:6380/2';
      const { url, options } = redisOptions();
      assert.equal(url, 'redis://10.0.0.9:6380/2');
      assert.equal(options.maxRetriesPerRequest, null);
      assert.equal(options.lazyConnect, false);
    } finally {
      if (saved === undefined) delete process.env['REDIS_URL'];
      else process.env['REDIS_URL'] = saved;
    }
  });

  it('Sentinel: master name, and credentials and db from the URL', () => {
    const { options } = redisOptions({ url: 'redis://:pw@ignored:1/3', sentinels: [{ host: 's1', port: 26379 }], name: 'rdp' });
    assert.deepEqual(options.sentinels, [{ host: 's1', port: 26379 }]);
    assert.equal(options.name, 'rdp');
    assert.equal(options.password, 'pw');
    assert.equal(options.db, 3);
  });

  it('refuses a non-Redis URL without showing its password', () => {
    assert.throws(() => redisOptions({ url: 'http://u:hunter2@x:1' }), (e: Error) => !e.message.includes('hunter2') && /redis:\/\/ or rediss:\/\//.test(e.message));
    assert.equal(redactRedisUrl('redis://default:hunter2@db:6379/0'), 'redis://***:***@db:6379/0');
    assert.equal(redactRedisUrl('redis://db:6379'), 'redis://db:6379');
  });

  it('backs off with a cap', () => {
    assert.deepEqual([1, 2, 3, 10, 100].map(retryDelayMs), [100, 200, 400, 5000, 5000]);
  });
});

describe('redis-server harness and reconnects (real redis-server, AOF on)', () => {
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

  it('keeps data and port across a crash (SIGKILL) and restart; the client reconnects by itself', async () => {
    await redis.set('survives', 'yes');
    const { port, dir } = server;
    const oldPid = server.pid;
    // A plain listener, not events.once: refused reconnects while it restarts emit 'error'.
    const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    await server.restart({ hard: true });
    assert.equal(server.port, port);
    assert.equal(server.dir, dir);
    assert.notEqual(server.pid, oldPid);
    await ready;
    assert.equal(await redis.get('survives'), 'yes');
  });

  it('a command sent while the server is down waits and succeeds after the restart', async () => {
    await redis.set('counter', '41');
    // Plain listeners, not events.once: a refused reconnect emits 'error', which is expected here.
    const down = new Promise<void>((resolve) => redis.once('reconnecting', () => resolve()));
    // Take the server down from outside, as a crash would; the harness notices on restart.
    const admin = createRedis({ url: server.url, maxConnectAttempts: 1 });
    admin.on('error', () => undefined);
    const adminEnded = new Promise<void>((resolve) => admin.once('end', () => resolve()));
    await admin.call('SHUTDOWN', 'NOSAVE').catch(() => undefined);
    await Promise.all([down, adminEnded]);
    const reply = redis.incr('counter');
    const ready = new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    await server.restart();
    await ready;
    assert.equal(await reply, 42);
  });

  it('stop removes the directory', async () => {
    const other = await startRedisServer();
    assert.ok(existsSync(other.dir));
    await other.stop();
    assert.equal(existsSync(other.dir), false);
  });
});

describe('createRedis: errors never show the password (real redis-server)', () => {
  let server: RedisServer;
  before(async () => {
    server = await startRedisServer();
  });
  after(async () => {
    await server.stop();
  });

  it('logs a refused AUTH with the redacted URL', async () => {
    let logged = '';
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        logged += chunk.toString();
        cb();
      },
    });
    const url = `redis://someone:hunter2@127.0.0.1:${server.port}`;
    const redis = createRedis({ url, log: createLogger({ destination: sink }), maxConnectAttempts: 1 });
    await once(redis, 'error');
    await once(redis, 'end');
    assert.match(logged, /redis: /);
    assert.equal(logged.includes('hunter2'), false, logged);
    // redactRedisUrl masks it as ***, and the log scrubber masks any user:pass@ again.
    assert.match(logged, new RegExp(`redis://\\*\\*\\*:(\\*\\*\\*|\\[redacted\\])@127\\.0\\.0\\.1:${server.port}`), logged);

  });
});
