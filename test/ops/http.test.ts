// The ops HTTP endpoint, over real HTTP on 127.0.0.1: health answers (ok, not ok, failing, hanging),
// metrics exposition, 404s, and a close() that does not wait for keep-alive sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { request, Agent } from 'node:http';
import { connect, type Socket } from 'node:net';
import { startOpsServer, opsPortFromEnv, type HealthReport, type OpsServer } from '../../src/ops/http.ts';
import { createLogger } from '../../src/ops/logger.ts';
import { createMetrics } from '../../src/ops/metrics.ts';

function quietLogger(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ name: 'ops-test', level: 'debug', destination }), text: () => chunks.join('') };
}

async function withServer(
  health: () => Promise<HealthReport>,
  body: (base: string, server: OpsServer, logText: () => string) => Promise<void>,
  extra: { healthTimeoutMs?: number } = {},
): Promise<void> {
  const { logger, text } = quietLogger();
  const metrics = createMetrics('bot');
  metrics.commands.inc({ platform: 'slack', subcommand: 'check', outcome: 'accepted' });
  const server = await startOpsServer({ port: 0, host: '127.0.0.1', metrics, health, logger, ...extra });
  try {
    await body(`http://127.0.0.1:${server.port}`, server, text);
  } finally {
    await server.close();
  }
}

const get = (url: string, method = 'GET'): Promise<Response> => fetch(url, { method, signal: AbortSignal.timeout(5_000) });

test('GET /healthz answers 200 with the checks when healthy', async () => {
  await withServer(
    async () => ({ ok: true, checks: { redis: { ok: true, detail: 'PONG in 1 ms' } } }),
    async (base) => {
      const res = await get(`${base}/healthz`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await res.json(), { ok: true, checks: { redis: { ok: true, detail: 'PONG in 1 ms' } } });
    },
  );
});

test('GET /healthz answers 503 when a check fails, and never shows a secret in a detail', async () => {
  await withServer(
    async () => ({ ok: true, checks: { redis: { ok: true }, slack: { ok: false, detail: 'invalid_auth for xoxb-1234-5678-abcdefghijkl' } } }),
    async (base, _server, logText) => {
      const res = await get(`${base}/healthz?verbose=1`);
      assert.equal(res.status, 503, 'a failing check makes the whole answer not ok');
      const body = (await res.json()) as HealthReport;
      assert.equal(body.ok, false);
      assert.equal(body.checks['slack']?.ok, false);
      assert.ok(!JSON.stringify(body).includes('abcdefghijkl'));
      assert.ok(!logText().includes('abcdefghijkl'));
      assert.match(logText(), /ops: unhealthy/);
    },
  );
});

test('a health check that throws is 503 with its (scrubbed) message', async () => {
  await withServer(
    () => Promise.reject(new Error('redis://:hunter2secret@redis:6379 ECONNREFUSED')),
    async (base) => {
      const res = await get(`${base}/healthz`);
      assert.equal(res.status, 503);
      const text = await res.text();
      assert.match(text, /ECONNREFUSED/);
      assert.ok(!text.includes('hunter2secret'));
    },
  );
});

test('a health check that hangs is cut off and reported as not ok', async () => {
  let calls = 0;
  await withServer(
    () => {
      calls++;
      return new Promise<never>(() => {});
    },
    async (base) => {
      const res = await get(`${base}/healthz`);
      assert.equal(res.status, 503);
      const body = (await res.json()) as HealthReport;
      assert.deepEqual(body, { ok: false, checks: { health: { ok: false, detail: 'no answer within 100 ms' } } });
      assert.equal(calls, 1);
    },
    { healthTimeoutMs: 100 },
  );
});

test('GET /metrics answers Prometheus text with its content type; HEAD has no body', async () => {
  await withServer(
    async () => ({ ok: true, checks: {} }),
    async (base) => {
      const res = await get(`${base}/metrics`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
      const text = await res.text();
      assert.match(text, /^rdp_medic_commands_total\{.*subcommand="check".*\} 1$/m);
      const head = await get(`${base}/metrics`, 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(await head.text(), '');
    },
  );
});

test('anything else is 404', async () => {
  await withServer(
    async () => ({ ok: true, checks: {} }),
    async (base) => {
      for (const [path, method] of [['/', 'GET'], ['/health', 'GET'], ['/metrics/x', 'GET'], ['/healthz', 'POST'], ['/metrics', 'DELETE']] as const) {
        const res = await get(`${base}${path}`, method);
        assert.equal(res.status, 404, `${method} ${path}`);
        await res.text();
      }
    },
  );
});

test('close() resolves while a client still holds an idle keep-alive connection', async () => {
  const { logger } = quietLogger();
  const server = await startOpsServer({ port: 0, host: '127.0.0.1', metrics: createMetrics('worker'), health: async () => ({ ok: true, checks: {} }), logger });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    // The agent emits 'free' when the answered request's socket goes back to its pool, still open.
    const idle = new Promise<Socket>((resolve) => agent.once('free', resolve));
    const req = request({ host: '127.0.0.1', port: server.port, path: '/healthz', agent, timeout: 5_000 }, (res) => res.resume());
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
    const socket = await idle;
    assert.equal(socket.destroyed, false, 'the keep-alive socket is open and idle');
    socket.ref(); // the agent unrefs pooled sockets; keep the loop alive until we see it close
    const socketClosed = new Promise<void>((done) => socket.once('close', () => done()));
    // close() must not wait for the 5 s keep-alive timeout: the socket closes because the server closed it.
    await server.close();
    await socketClosed;
    assert.equal(agent.freeSockets[Object.keys(agent.freeSockets)[0] ?? '']?.length ?? 0, 0);
  } finally {
    agent.destroy();
    await server.close();
  }
});

// Without closeAllConnections, close() would wait for this half-sent request until headersTimeout (5 s);
// the test's own 4 s limit turns that wait into a failure.
test('close() does not wait for a client stuck in the middle of a request', { timeout: 4_000 }, async () => {
  const { logger } = quietLogger();
  let connected!: () => void;
  const seen = new Promise<void>((resolve) => (connected = resolve));
  const server = await startOpsServer({
    port: 0,
    host: '127.0.0.1',
    metrics: createMetrics('worker'),
    health: async () => {
      connected();
      return { ok: true, checks: {} };
    },
    logger,
  });
  // One full request first so the server has certainly accepted and tracked the connection.
  const socket = connect(server.port, '127.0.0.1');
  const closed = new Promise<void>((done) => socket.once('close', () => done()));
  socket.on('error', () => {});
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  await seen;
  socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'); // the second request never ends its headers
  await server.close();
  await closed;
});

test('the port comes from RDP_MEDIC_OPS_PORT, with a clear error for a bad one', () => {
  assert.equal(opsPortFromEnv({}), 9464);
  assert.equal(opsPortFromEnv({ RDP_MEDIC_OPS_PORT: '9500' }), 9500);
  assert.equal(opsPortFromEnv({ RDP_MEDIC_OPS_PORT: '0' }), 0);
  assert.throws(() => opsPortFromEnv({ RDP_MEDIC_OPS_PORT: 'http' }), /RDP_MEDIC_OPS_PORT must be a port number/);
  assert.throws(() => opsPortFromEnv({ RDP_MEDIC_OPS_PORT: '70000' }), /RDP_MEDIC_OPS_PORT/);
});
