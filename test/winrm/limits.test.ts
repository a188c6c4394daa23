// A hostile or broken host cannot grow our memory or hold a command forever: output, response bodies
// and time are capped, and each cap ends in a typed error that names the host and the cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  LIMIT_MINIMUMS, WinrmConfigError, WinrmOutputLimitError, WinrmTimeoutError, createWinrmClient, formatBytes,
} from '../../src/winrm/index.ts';
import type { WinrmClient, WinrmClientOptions } from '../../src/winrm/index.ts';
import { MAX_ENVELOPE_SIZE } from '../../src/winrm/namespaces.ts';
import { BOUNDS, HostileWsman } from '../fakes/hostile-wsman.ts';
import type { HostileMode } from '../fakes/hostile-wsman.ts';
import { WsmanReplayServer } from '../fakes/wsman-replay.ts';
import { ntlmFront } from '../fakes/wsman-ntlm.ts';
import { reply } from '../fakes/wsman-responses.ts';
import { PASSWORD, assertNoSecrets } from './helpers.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

async function against(mode: HostileMode, options: Partial<WinrmClientOptions>, body: (ctx: { server: HostileWsman; client: WinrmClient; host: string }) => Promise<void>): Promise<void> {
  const server = await HostileWsman.start(mode);
  const client = createWinrmClient({ url: server.url, auth: 'basic', username: 'Administrator', password: PASSWORD, allowUnencrypted: true, ...options });
  try {
    await body({ server, client, host: new URL(server.url).host });
  } finally {
    await client.close();
    await server.close();
  }
}

function outputLimit(host: string, limit: string, limitBytes: number, step: string): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof WinrmOutputLimitError, `expected WinrmOutputLimitError, got ${String(e)}`);
    assert.equal(e.host, host);
    assert.equal(e.step, step);
    assert.equal(e.limit, limit);
    assert.equal(e.limitBytes, limitBytes);
    assert.ok(e.message.startsWith(`${host} sent more than ${formatBytes(limitBytes)} `), e.message);
    assert.ok(e.message.endsWith(`; stopped reading (cap ${limit}).`), e.message);
    assertNoSecrets(e.message);
    assertNoSecrets(JSON.stringify(e));
    return true;
  };
}

test('endless Receive output: stops at maxOutputBytes, names the host and the cap, terminates the command', async () => {
  const chunk = 64 * KIB;
  await against({ kind: 'endless-output', chunkBytes: chunk }, { maxOutputBytes: MIB }, async ({ server, client, host }) => {
    await assert.rejects(client.run('flood'), outputLimit(host, 'winrm.maxOutputBytes', MIB, 'receive'));
    await client.whenIdle();
    await assert.rejects(client.run('flood'), {
      message: `${host} sent more than 1 MiB of output for one command; stopped reading (cap winrm.maxOutputBytes).`,
    });
    await client.close();
    // 16 answers fill the cap exactly; the 17th passes it and is the last one asked for. Then the
    // command is terminated and the shell dropped, and the next command gets a shell of its own.
    const oneCommand = ['command', 'send', ...Array<string>(MIB / chunk + 1).fill('receive'), 'signal', 'delete'];
    assert.deepEqual(server.steps, ['create', ...oneCommand, 'create', ...oneCommand]);
  });
});

test('a response body that never ends is cut at maxResponseBytes while the server is still sending', async () => {
  const cap = 512 * KIB;
  await against({ kind: 'huge-body' }, { maxResponseBytes: cap }, async ({ server, client, host }) => {
    await assert.rejects(client.run('flood'), outputLimit(host, 'winrm.maxResponseBytes', cap, 'receive'));
    assert.match(String(await client.run('again').catch((e: unknown) => e)), /sent more than 512 KiB in one WinRM receive response/);
    // The server learns by its connection closing, long before it would stop by itself.
    const end = await server.streamEnd(0);
    assert.equal(end.by, 'client-closed');
    assert.ok(end.sent < BOUNDS.streamBytes / 4, `the server sent ${end.sent} bytes before the client hung up`);
  });
});

test('a declared Content-Length over the cap is refused before the body arrives', async () => {
  // The server announces 1 GiB and then holds: waiting for the body would end in the request timeout.
  await against({ kind: 'huge-body', declaredLength: 1024 * MIB }, { maxResponseBytes: 512 * KIB, timeouts: { requestMs: 20_000 } }, async ({ server, client, host }) => {
    await assert.rejects(client.run('flood'), outputLimit(host, 'winrm.maxResponseBytes', 512 * KIB, 'receive'));
    assert.equal((await server.streamEnd(0)).by, 'client-closed');
  });
});

test('NTLM: a flood in answer to the handshake is cut at the cap too', async () => {
  await against({ kind: 'huge-body', at: 'first' }, { auth: 'ntlm', username: 'SIM\\operator', maxResponseBytes: 256 * KIB }, async ({ server, client, host }) => {
    await assert.rejects(client.run('x'), outputLimit(host, 'winrm.maxResponseBytes', 256 * KIB, 'create'));
    assert.deepEqual(server.steps, ['?'], 'the Negotiate leg, which carries no envelope when encrypting');
    assert.equal((await server.streamEnd(0)).by, 'client-closed');
  });
});

test('NTLM with encryption: a sealed response over the cap is refused before it is unsealed', async () => {
  const big = Buffer.alloc(300 * KIB, 0x41); // base64 in the envelope: about 400 KiB, sealed
  const front = ntlmFront([reply.create(), reply.command(), reply.send(), reply.receive([{ name: 'stdout', data: big }], { exitCode: 0 })],
    { users: { operator: PASSWORD }, requireEncryption: true });
  const server = await WsmanReplayServer.start(front.script);
  const client = createWinrmClient({ url: server.url, auth: 'ntlm', username: 'SIM\\operator', password: PASSWORD, maxResponseBytes: 256 * KIB });
  try {
    await assert.rejects(client.run('x'), outputLimit(new URL(server.url).host, 'winrm.maxResponseBytes', 256 * KIB, 'receive'));
    assert.ok(front.events.includes('receive:encrypted@1'), front.events.join(' '));
  } finally {
    await client.close();
    await server.close();
  }
});

test('a slow drip inside one response hits the request timeout: it is a total deadline, not an idle timeout', async () => {
  // Receive's budget is OperationTimeout + requestMs = 200 + 300 ms; a byte arrives every 20 ms.
  await against({ kind: 'drip', intervalMs: 20 }, { operationTimeoutSec: 0.2, timeouts: { requestMs: 300, commandMs: 60_000 } }, async ({ server, client }) => {
    await assert.rejects(client.run('drip'), (e: unknown) => {
      assert.ok(e instanceof WinrmTimeoutError, String(e));
      assert.equal(e.kind, 'request');
      assert.equal(e.step, 'receive');
      assert.equal(e.timeoutMs, 500);
      return true;
    });
    const end = await server.streamEnd(0);
    assert.equal(end.by, 'client-closed');
    assert.ok(end.sent >= 3, `bytes kept arriving while the request ran (${end.sent})`);
  });
});

test('a drip of tiny Receive answers hits the whole-command deadline', async () => {
  await against({ kind: 'drip-receives', intervalMs: 40 }, { timeouts: { commandMs: 600, requestMs: 5_000 } }, async ({ server, client }) => {
    await assert.rejects(client.run('drip'), (e: unknown) => {
      assert.ok(e instanceof WinrmTimeoutError, String(e));
      assert.equal(e.kind, 'deadline');
      assert.equal(e.step, 'receive');
      assert.match(e.partialStdout ?? '', /^\.+$/, 'what arrived is kept');
      return true;
    });
    assert.ok(server.receives >= 3, `every Receive was answered (${server.receives}), so only the deadline could stop it`);
  });
});

test('caps below what a real host sends are refused before any request', () => {
  assert.ok(LIMIT_MINIMUMS.maxResponseBytes >= MAX_ENVELOPE_SIZE + 16 * KIB, 'a full sealed envelope fits the smallest response cap');
  const make = (o: Partial<WinrmClientOptions>) => createWinrmClient({ url: 'http://127.0.0.1:1/wsman', auth: 'basic', username: 'u', password: PASSWORD, allowUnencrypted: true, ...o });
  assert.throws(() => make({ maxResponseBytes: 100 * KIB }), (e: unknown) => e instanceof WinrmConfigError && /maxResponseBytes must be a whole number of bytes, at least 262144 \(256 KiB\)/.test(e.message));
  assert.throws(() => make({ maxOutputBytes: 1.5 }), /maxOutputBytes must be a whole number of bytes, at least 65536 \(64 KiB\)/);
  assert.deepEqual([formatBytes(8 * MIB), formatBytes(64 * KIB), formatBytes(1000), formatBytes(MIB + 1)], ['8 MiB', '64 KiB', '1000 bytes', '1048577 bytes']);
});
