// Failures become typed errors that name the host and the step, within the configured timeouts,
// and never carry the password.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  WinrmAbortError, WinrmAuthError, WinrmError, WinrmFaultError, WinrmProtocolError, WinrmTimeoutError, WinrmTransportError, createWinrmClient,
} from '../../src/winrm/index.ts';
import { reply } from '../fakes/wsman-responses.ts';
import type { ScriptedReply } from '../fakes/wsman-replay.ts';
import { PASSWORD, assertNoSecrets, withServer } from './helpers.ts';

const fixturesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/winrm');

function check<T extends WinrmError>(type: abstract new (...args: never[]) => T, verify: (e: T) => void): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
    assert.ok(e instanceof WinrmError);
    assertNoSecrets(e.message);
    assertNoSecrets(JSON.stringify(e));
    verify(e);
    return true;
  };
}

/** Serves a recorded fault with HTTP 500, its RelatesTo rewritten to our MessageID. */
function fixtureFault(file: string): ScriptedReply {
  const xml = readFileSync(path.join(fixturesDir, file), 'utf8');
  return { status: 500, body: (req) => xml.replace(/<a:RelatesTo>[^<]*<\/a:RelatesTo>/, `<a:RelatesTo>${req.messageId}</a:RelatesTo>`) };
}

test('recorded faults over HTTP 500 become WinrmFaultError with code, subcode, machine', async () => {
  const cases = [
    { file: 'fault-timedout-2150858793.pywinrm.xml', code: 2150858793, subcode: 'w:TimedOut', machine: 'server2022.domain.test' },
    { file: 'fault-schemavalidationerror-2150858817.pywinrm.xml', code: 2150858817, subcode: 'w:SchemaValidationError', machine: 'SERVER2008.domain.local' },
    { file: 'fault-internalerror-wmierror.pywinrm.xml', code: 2150859174, subcode: 'w:InternalError', machine: undefined },
    { file: 'fault-mustunderstand.pywinrm.xml', code: undefined, subcode: undefined, machine: undefined },
  ];
  for (const c of cases) {
    await withServer([fixtureFault(c.file)], {}, async ({ server, client }) => {
      await assert.rejects(client.run('x'), check(WinrmFaultError, (e) => {
        assert.equal(e.code, c.code, c.file);
        assert.equal(e.subcode, c.subcode, c.file);
        assert.equal(e.machine, c.machine, c.file);
        assert.equal(e.httpStatus, 500);
        assert.equal(e.step, 'create');
        assert.equal(e.host, new URL(server.url).host);
        assert.match(e.message, new RegExp(`WinRM create on ${new URL(server.url).host.replace('.', '\\.')} failed`));
      }));
    });
  }
});

test('a fault on Command with HTTP 500 is typed and names the step', async () => {
  const script = [reply.create(), reply.fault({ expect: 'command', code: 2150859173, subcode: 'w:QuotaLimit', reason: 'Too many shells', sender: true, machine: 'win1' }), reply.delete()];
  await withServer(script, {}, async ({ client }) => {
    await assert.rejects(client.run('x'), check(WinrmFaultError, (e) => {
      assert.equal(e.step, 'command');
      assert.equal(e.code, 2150859173);
      assert.equal(e.subcode, 'w:QuotaLimit');
      assert.equal(e.soapCode, 's:Sender');
      assert.equal(e.machine, 'win1');
      assert.match(e.message, /quota/);
    }));
  });
});

test('401 -> WinrmAuthError naming Basic and the host', async () => {
  const script: ScriptedReply[] = [{ status: 401, headers: { 'WWW-Authenticate': ['Negotiate', 'Basic realm="WSMAN"'] }, body: '' }];
  await withServer(script, {}, async ({ server, client }) => {
    await assert.rejects(client.run('x'), check(WinrmAuthError, (e) => {
      assert.equal(e.method, 'Basic');
      assert.equal(e.step, 'create');
      assert.match(e.message, /using Basic/);
      assert.ok(e.message.includes(new URL(server.url).host));
      assert.match(e.message, /server offers: Negotiate, Basic/);
    }));
  });
});

test('connection refused -> WinrmTransportError naming host and step, within the connect timeout', async () => {
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const client = createWinrmClient({ url: `http://127.0.0.1:${port}/wsman`, auth: 'basic', username: 'u', password: PASSWORD, allowUnencrypted: true, timeouts: { connectMs: 1000 } });
  await assert.rejects(client.run('x'), check(WinrmTransportError, (e) => {
    assert.equal(e.kind, 'refused');
    assert.equal(e.code, 'ECONNREFUSED');
    assert.equal(e.step, 'create');
    assert.equal(e.host, `127.0.0.1:${port}`);
    assert.match(e.message, new RegExp(`WinRM create to 127\\.0\\.0\\.1:${port} failed: connection refused`));
  }));
  await client.close();
});

test('DNS failure -> WinrmTransportError kind dns', async () => {
  const client = createWinrmClient({ url: 'http://no-such-host.invalid:5985/wsman', auth: 'basic', username: 'u', password: PASSWORD, allowUnencrypted: true, timeouts: { connectMs: 3000 } });
  await assert.rejects(client.run('x'), check(WinrmTransportError, (e) => {
    assert.equal(e.kind, 'dns');
    assert.match(e.message, /no-such-host\.invalid:5985.*does not resolve/);
  }));
  await client.close();
});

test('a hung server -> WinrmTimeoutError within requestMs, and no open handles after close()', async () => {
  await withServer([{ hang: true }], { timeouts: { requestMs: 300, connectMs: 300 } }, async ({ client }) => {
    const started = Date.now();
    await assert.rejects(client.run('x'), check(WinrmTimeoutError, (e) => {
      assert.equal(e.kind, 'request');
      assert.equal(e.timeoutMs, 300);
      assert.equal(e.step, 'create');
      assert.match(e.message, /timed out: no response within 300 ms/);
    }));
    // A lower bound only: a timeout may not fire early, and a busy machine only makes it later.
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 280, `elapsed ${elapsed}`);
  });
  // Closed handles leave the active list once libuv has run their close callbacks: give it a few turns.
  for (let turn = 0; turn < 50 && Object.keys(countHandles()).length > 0; turn++) {
    await new Promise((r) => setImmediate(r));
  }
  assert.deepEqual(countHandles(), {});
});

function countHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  // The client's own handles are sockets and timers; a file read elsewhere in this process (the test
  // runner's, a module load: FSReqCallback, seen once on Node 22) is not one of them.
  const notTheClients = new Set(['TTYWrap', 'PipeWrap', 'FSReqCallback', 'FSReqPromise']);
  for (const r of process.getActiveResourcesInfo()) if (!notTheClients.has(r)) counts[r] = (counts[r] ?? 0) + 1;
  return counts;
}

test('a hung Receive is cut off by the whole-command deadline', async () => {
  const script = [reply.create(), reply.command(), reply.send(), { hang: true }, reply.signal(), reply.delete()];
  await withServer(script, { timeouts: { commandMs: 400, requestMs: 5000 } }, async ({ server, client }) => {
    await assert.rejects(client.run('x'), check(WinrmTimeoutError, (e) => {
      assert.equal(e.kind, 'deadline');
      assert.equal(e.step, 'receive');
    }));
    await client.close();
    // the command may still run on the host: terminate it and drop the shell
    assert.deepEqual(server.steps(), ['create', 'command', 'send', 'receive', 'signal', 'delete']);
  });
});

test('the caller can abort a command', async () => {
  const controller = new AbortController();
  const script = [reply.create(), reply.command(), reply.send(), { hang: true }, reply.signal(), reply.delete()];
  await withServer(script, {}, async ({ server, client }) => {
    const running = client.run('x', [], { signal: controller.signal });
    await server.waitForRequests(4);
    controller.abort();
    await assert.rejects(running, check(WinrmAbortError, (e) => assert.equal(e.step, 'receive')));
  });
});

test('garbage XML and non-SOAP bodies -> WinrmProtocolError', async () => {
  const bodies = ['<<<not xml', '<html><body>Bad gateway</body></html>', 'plain text', ''];
  for (const body of bodies) {
    await withServer([{ status: 200, body, headers: { 'Content-Type': 'text/html' } }], {}, async ({ client }) => {
      await assert.rejects(client.run('x'), check(WinrmProtocolError, (e) => {
        assert.equal(e.step, 'create');
        assert.equal(e.httpStatus, 200);
        assert.match(e.message, /not a WinRM endpoint/);
      }));
    });
  }
});

test('HTTP 500 with a non-SOAP body -> WinrmProtocolError, body read', async () => {
  await withServer([{ status: 500, body: 'Internal Server Error' }], {}, async ({ client }) => {
    await assert.rejects(client.run('x'), check(WinrmProtocolError, (e) => {
      assert.equal(e.httpStatus, 500);
      assert.match(e.message, /HTTP 500.*Internal Server Error/);
    }));
  });
});

test('a RelatesTo that is not our MessageID is refused', async () => {
  const script: ScriptedReply[] = [{ body: (req) => (reply.create().body as (r: typeof req) => string)({ ...req, messageId: 'uuid:00000000-0000-4000-8000-000000000000' }) }];
  await withServer(script, {}, async ({ client }) => {
    await assert.rejects(client.run('x'), check(WinrmProtocolError, (e) => assert.match(e.message, /relates to uuid:00000000/)));
  });
});

test('connection reset mid-request -> WinrmTransportError kind reset', async () => {
  await withServer([{ reset: true }], {}, async ({ client }) => {
    await assert.rejects(client.run('x'), check(WinrmTransportError, (e) => {
      assert.equal(e.kind, 'reset');
      assert.equal(e.step, 'create');
      assert.match(e.message, /reset/);
    }));
  });
});

test('a reset on Command (not idempotent) is not re-sent; the shell is dropped', async () => {
  const script = [reply.create(), { reset: true, expect: 'command' }, reply.delete()];
  await withServer(script, {}, async ({ server, client }) => {
    await assert.rejects(client.run('x'), check(WinrmTransportError, (e) => assert.equal(e.step, 'command')));
    await client.close();
    assert.deepEqual(server.steps(), ['create', 'command', 'delete']);
  });
});
