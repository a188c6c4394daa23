// probeTcp / sampleTcp on loopback. Loopback never leaves a SYN unanswered, so the 'timeout' path is
// exercised with an injected connect that never completes: that tests the probe's own deadline, not
// the kernel's SYN retries. (A 0 ms budget against a loopback port is racy: the connect can win.)
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { probeTcp, sampleTcp, tcpStats } from '../../src/rdp/probes/index.ts';

describe('probeTcp', () => {
  let server: net.Server;
  let port: number;
  let accepted = 0;
  before(async () => {
    server = net.createServer((s) => {
      accepted++;
      s.on('error', () => {});
      s.end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('open', async () => {
    const r = await probeTcp({ host: '127.0.0.1', port, timeoutMs: 2000 });
    assert.equal(r.state, 'open');
    assert.equal(r.error, null);
    assert.equal(r.port, port);
    assert.ok(r.ms !== null && r.ms >= 0 && r.ms < 2000);
  });

  test('refused', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await probeTcp({ host: '127.0.0.1', port: closedPort, timeoutMs: 2000 });
    assert.deepEqual(r, { port: closedPort, state: 'refused', ms: null, error: 'ECONNREFUSED' });
  });

  test('timeout: a connect that never completes ends at the deadline', async () => {
    const t0 = performance.now();
    const r = await probeTcp({ host: '192.0.2.1', port: 3389, timeoutMs: 150, connect: () => new net.Socket() });
    const took = performance.now() - t0;
    assert.deepEqual(r, { port: 3389, state: 'timeout', ms: null, error: 'ETIMEDOUT' });
    assert.ok(took >= 140 && took < 600, `took ${took} ms`);
  });

  test('unresolvable name → error ENOTFOUND-like', async () => {
    const r = await probeTcp({ host: 'no-such-host.invalid', port: 3389, timeoutMs: 3000 });
    assert.ok(r.state === 'error' || r.state === 'timeout');
    assert.notEqual(r.error, null);
  });

  test('sampleTcp: sequential samples and statistics', async () => {
    const before = accepted;
    const s = await sampleTcp({ host: '127.0.0.1', port, count: 4, intervalMs: 10, timeoutMs: 2000 });
    assert.equal(s.samples.length, 4);
    assert.equal(s.ok, 4);
    assert.equal(s.lost, 0);
    assert.equal(s.lossPct, 0);
    assert.ok(s.minMs !== null && s.avgMs !== null && s.maxMs !== null && s.jitterMs !== null);
    assert.ok(s.minMs <= s.avgMs && s.avgMs <= s.maxMs);
    assert.ok(s.jitterMs >= 0 && s.jitterMs <= s.maxMs - s.minMs);
    assert.ok(typeof s.localDelayMs === 'number' && s.localDelayMs >= 0, 'the local baseline is measured');
    // Accepts are counted on the server's side; the last one may still be in flight.
    assert.ok(accepted - before >= 3);
  });
});

describe('tcpStats', () => {
  const open = (ms: number) => ({ port: 1, state: 'open' as const, ms, error: null });
  const lost = { port: 1, state: 'timeout' as const, ms: null, error: 'ETIMEDOUT' };

  test('jitter is the mean absolute difference of consecutive RTTs; loss counted', () => {
    assert.deepEqual(tcpStats([open(10), lost, open(14), open(11), open(11)]), {
      ok: 4,
      lost: 1,
      lossPct: 20,
      minMs: 10,
      avgMs: 11.5,
      maxMs: 14,
      jitterMs: 2.33, // (|14-10| + |11-14| + |11-11|) / 3
    });
  });

  test('all lost / single sample', () => {
    assert.deepEqual(tcpStats([lost, lost]), { ok: 0, lost: 2, lossPct: 100, minMs: null, avgMs: null, maxMs: null, jitterMs: null });
    assert.equal(tcpStats([open(3)]).jitterMs, null);
  });
});
