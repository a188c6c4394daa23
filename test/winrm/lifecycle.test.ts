// The shell lifecycle against the scripted server: exact sequences, output decoding, polling,
// shell reuse, keep-alive, background cleanup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WinrmFaultError } from '../../src/winrm/index.ts';
import { STDIN_CHUNK_BYTES } from '../../src/winrm/shell.ts';
import { faults, reply, warmCommand } from '../fakes/wsman-responses.ts';
import { recordingLogger, withServer } from './helpers.ts';

test('runOnce: Create, Command, Send, Receive, then Signal and Delete; exact sequence and contents', async () => {
  const script = [reply.create('SH-1'), reply.command('CMD-1'), reply.send(),
    reply.receive([{ name: 'stdout', data: 'hello\r\n' }, { name: 'stderr', data: 'warn\r\n' }], { exitCode: 3 }, 'CMD-1'),
    reply.signal(), reply.delete()];
  await withServer(script, {}, async ({ server, client }) => {
    const result = await client.runOnce('ipconfig', ['/all'], { stdin: 'input-data' });
    assert.equal(result.stdout, 'hello\r\n');
    assert.equal(result.stderr, 'warn\r\n');
    assert.equal(result.exitCode, 3);
    assert.deepEqual(result.stdoutBytes, Buffer.from('hello\r\n'));
    await client.close();
    assert.deepEqual(server.steps(), ['create', 'command', 'send', 'receive', 'signal', 'delete']);
    assert.deepEqual(server.mismatches, []);
    const [create, command, send, receive, signal, del] = server.requests;
    assert.match(create!.text, /<w:Option Name="WINRS_CODEPAGE">65001<\/w:Option>/);
    for (const r of [command, send, receive, signal, del]) assert.match(r!.text, /<w:Selector Name="ShellId">SH-1<\/w:Selector>/);
    assert.match(command!.text, /<rsp:Command>ipconfig<\/rsp:Command><rsp:Arguments>\/all<\/rsp:Arguments>/);
    assert.match(send!.text, new RegExp(`CommandId="CMD-1" End="true">${Buffer.from('input-data').toString('base64')}<`));
    assert.match(receive!.text, /<rsp:DesiredStream CommandId="CMD-1">stdout stderr<\/rsp:DesiredStream>/);
    assert.match(signal!.text, /signal\/terminate/);
    assert.equal(server.requests[0]!.headers['content-type'], 'application/soap+xml;charset=UTF-8');
    assert.equal(server.requests[0]!.headers.authorization, `Basic ${Buffer.from('Administrator:S3cret!pass').toString('base64')}`);
    assert.equal(new Set(server.requests.map((r) => r.messageId)).size, 6, 'unique MessageIDs');
    assert.equal(client.stats.roundTrips, 6);
    assert.deepEqual(client.stats.requests, { create: 1, command: 1, send: 1, receive: 1, signal: 1, delete: 1 });
  });
});

test('output over 3 Receives with multi-byte UTF-8 split mid-character, stdout and stderr apart', async () => {
  const bytes = Buffer.from('héllo ✓ 日本', 'utf8');
  // split inside 'é' (2 bytes), inside '✓' (3 bytes) and inside '日' (3 bytes)
  const cut1 = bytes.indexOf(Buffer.from('é')) + 1;
  const cut2 = bytes.indexOf(Buffer.from('日')) + 2;
  const err = Buffer.from('ошибка', 'utf8');
  const script = [reply.create(), reply.command(), reply.send(),
    reply.receive([{ name: 'stdout', data: bytes.subarray(0, cut1) }, { name: 'stderr', data: err.subarray(0, 3) }]),
    reply.receive([{ name: 'stdout', data: bytes.subarray(cut1, cut2) }]),
    reply.receive([{ name: 'stdout', data: bytes.subarray(cut2) }, { name: 'stderr', data: err.subarray(3) }], { exitCode: 0 }),
    reply.signal(), reply.delete()];
  await withServer(script, {}, async ({ server, client }) => {
    const result = await client.run('type', ['x.txt']);
    assert.equal(result.stdout, 'héllo ✓ 日本');
    assert.equal(result.stderr, 'ошибка');
    assert.equal(result.exitCode, 0);
    await client.close();
    assert.deepEqual(server.steps(), ['create', 'command', 'send', 'receive', 'receive', 'receive', 'signal', 'delete']);
  });
});

test('a Receive that ends in w:TimedOut is polled again, not failed', async () => {
  const script = [reply.create(), reply.command(), reply.send(), faults.timedOut(), faults.timedOut(),
    reply.receive([{ name: 'stdout', data: 'late\r\n' }], { exitCode: 0 }), reply.signal(), reply.delete()];
  await withServer(script, {}, async ({ server, client }) => {
    const result = await client.run('slow');
    assert.equal(result.stdout, 'late\r\n');
    await client.close();
    assert.deepEqual(server.steps(), ['create', 'command', 'send', 'receive', 'receive', 'receive', 'signal', 'delete']);
  });
});

test('warm shell reuse: N sequential commands share one shell and one TCP connection', async () => {
  const n = 4;
  const script = [reply.create('SH-W')];
  for (let i = 0; i < n; i++) script.push(...warmCommand(`out${i}`, i, `C${i}`), reply.signal());
  script.push(reply.delete());
  await withServer(script, {}, async ({ server, client }) => {
    const criticalPath = (): number => {
      const r = client.stats.requests;
      return r.create + r.command + r.send + r.receive;
    };
    for (let i = 0; i < n; i++) {
      const before = criticalPath();
      const r = await client.run('cmd', ['/c', `echo ${i}`]);
      assert.equal(r.stdout, `out${i}`);
      assert.equal(r.exitCode, i);
      // cold = Create + Command + Send + Receive; warm = Command + Send + Receive (Signal is background)
      assert.equal(criticalPath() - before, i === 0 ? 4 : 3);
    }
    await client.close();
    assert.deepEqual(server.mismatches, []);
    assert.equal(server.connections, 1, 'one keep-alive TCP connection');
    assert.equal(client.stats.requests.create, 1);
    assert.equal(client.stats.shellsCreated, 1);
    assert.deepEqual(server.steps(), ['create', ...Array.from({ length: n }, () => ['command', 'send', 'receive', 'signal']).flat(), 'delete']);
    assert.equal(client.stats.roundTrips, 1 + 4 * n + 1);
  });
});

test('shell gone on Command: recreate once and retry the command', async () => {
  const script = [reply.create('SH-A'), ...warmCommand('one'), reply.signal(),
    faults.shellGone('command'), reply.create('SH-B'), ...warmCommand('two'), reply.signal(), reply.delete()];
  await withServer(script, {}, async ({ server, client }) => {
    assert.equal((await client.run('a')).stdout, 'one');
    assert.equal((await client.run('b')).stdout, 'two');
    await client.close();
    assert.deepEqual(server.mismatches, []);
    assert.deepEqual(server.steps(), ['create', 'command', 'send', 'receive', 'signal', 'command', 'create', 'command', 'send', 'receive', 'signal', 'delete']);
    assert.match(server.requests.at(-1)!.text, /SH-B/);
  });
});

test('shell gone after the command started (Receive): never re-run, the fault surfaces', async () => {
  const script = [reply.create(), reply.command(), reply.send(), faults.shellGone('receive')];
  await withServer(script, {}, async ({ server, client }) => {
    await assert.rejects(client.run('x'), (e: unknown) => e instanceof WinrmFaultError && e.code === 2150858843 && e.step === 'receive');
    await client.close();
    assert.deepEqual(server.steps(), ['create', 'command', 'send', 'receive']);
  });
});

test('large stdin is split into several Send envelopes, only the last with End="true"', async () => {
  const stdin = Buffer.alloc(STDIN_CHUNK_BYTES * 2 + 10, 0x41);
  const script = [reply.create(), reply.command(), reply.send(), reply.send(), reply.send(),
    reply.receive([{ name: 'stdout', data: 'ok' }], { exitCode: 0 }), reply.signal(), reply.delete()];
  await withServer(script, {}, async ({ server, client }) => {
    await client.runPowerShell('$input | Measure-Object', stdin);
    await client.close();
    const sends = server.requests.filter((r) => r.step === 'send');
    assert.equal(sends.length, 3);
    assert.deepEqual(sends.map((r) => /End="true"/.test(r.text)), [false, false, true]);
    const sent = Buffer.concat(sends.map((r) => Buffer.from(/<rsp:Stream[^>]*>([^<]*)</.exec(r.text)![1]!, 'base64')));
    assert.deepEqual(sent, stdin);
    for (const r of sends) assert.ok(r.body.length < 153600, `envelope ${r.body.length} bytes`);
    assert.match(server.requests[1]!.text, /<rsp:Command>powershell\.exe<\/rsp:Command><rsp:Arguments>-NoProfile<\/rsp:Arguments><rsp:Arguments>-NonInteractive<\/rsp:Arguments><rsp:Arguments>-ExecutionPolicy<\/rsp:Arguments><rsp:Arguments>Bypass<\/rsp:Arguments><rsp:Arguments>-EncodedCommand<\/rsp:Arguments>/);
  });
});

test('Signal and Delete run after the result is returned; close() awaits them', async () => {
  let releaseSignal!: () => void;
  const signalGate = new Promise<void>((r) => (releaseSignal = r));
  const script = [reply.create(), ...warmCommand('fast'), { ...reply.signal(), gate: signalGate }, reply.signal(), reply.delete()];
  await withServer(script, {}, async ({ server, client }) => {
    const result = await client.runOnce('x');
    assert.equal(result.stdout, 'fast');
    await server.waitForRequests(5); // the Signal has reached the server, but is not answered yet
    assert.equal(server.requests[4]!.step, 'signal');
    let closed = false;
    const closing = client.close().then(() => (closed = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(closed, false, 'close() waits for the pending cleanup');
    assert.equal(server.requests.length, 5, 'Delete waits for Signal');
    releaseSignal();
    await closing;
    assert.deepEqual(server.steps(), ['create', 'command', 'send', 'receive', 'signal', 'delete']);
  });
});

test('a failed Delete is logged and does not mask the result', async () => {
  const logger = recordingLogger();
  const script = [reply.create(), ...warmCommand('result'), reply.signal(),
    reply.fault({ expect: 'delete', code: 2150858843, subcode: 'w:InvalidSelectors', sender: true, reason: 'shell not found' })];
  await withServer(script, { logger }, async ({ client }) => {
    const result = await client.runOnce('x');
    assert.equal(result.stdout, 'result');
    await client.close();
    const warn = logger.lines.find((l) => l.level === 'warn' && /cleanup \(delete\)/.test(l.msg));
    assert.ok(warn, JSON.stringify(logger.lines));
    assert.equal((warn.obj as { step?: string }).step, 'delete');
  });
});

test('a failed Delete does not mask the original error either', async () => {
  const logger = recordingLogger();
  const script = [reply.create(), reply.command(), reply.send(),
    reply.fault({ expect: 'receive', code: 2150859174, subcode: 'w:QuotaLimit', reason: 'too many commands', sender: true }),
    reply.signal(), { status: 500, body: 'Internal Server Error', expect: 'delete' }];
  await withServer(script, { logger }, async ({ server, client }) => {
    await assert.rejects(client.runOnce('x'), (e: unknown) => e instanceof WinrmFaultError && e.code === 2150859174 && e.step === 'receive');
    await client.close();
    assert.deepEqual(server.steps(), ['create', 'command', 'send', 'receive', 'signal', 'delete']);
    assert.ok(logger.lines.some((l) => l.level === 'warn' && /cleanup \(delete\)/.test(l.msg)));
  });
});
