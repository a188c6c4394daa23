// Configuration refusals happen before any network call; the auth method is never guessed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WinrmCommandTooLongError, WinrmConfigError, createWinrmClient, encodePowerShell, powerShellArgs } from '../../src/winrm/index.ts';
import { splitUser } from '../../src/winrm/options.ts';
import { WsmanReplayServer } from '../fakes/wsman-replay.ts';
import { PASSWORD, recordingLogger, withServer } from './helpers.ts';

test("NTLM with encryption 'never' over http is refused before any request", async () => {
  const server = await WsmanReplayServer.start([]);
  try {
    assert.throws(
      () => createWinrmClient({ url: server.url, auth: 'ntlm', username: 'SIM\\user', password: PASSWORD, encryption: 'never' }),
      (e: unknown) => e instanceof WinrmConfigError && e.step === 'config' &&
        e.message.includes("Windows refuses unencrypted NTLM over HTTP by default (AllowUnencrypted=false); use HTTPS or encryption 'auto'"),
    );
    assert.equal(server.requests.length, 0);
    assert.equal(server.connections, 0);
  } finally {
    await server.close();
  }
});

test("NTLM 'never' over http with allowUnencrypted: true is allowed, with a warning", async () => {
  const logger = recordingLogger();
  const client = createWinrmClient({ url: 'http://127.0.0.1:1/wsman', auth: 'ntlm', username: 'u', password: PASSWORD, encryption: 'never', allowUnencrypted: true, logger });
  assert.equal(logger.lines.length, 1);
  assert.match(logger.lines[0]!.msg, /without message encryption/);
  await client.close();
});

test("Basic with encryption 'always' is refused; bad TLS options are refused", () => {
  assert.throws(() => createWinrmClient({ url: 'https://h:5986/wsman', auth: 'basic', username: 'u', password: PASSWORD, encryption: 'always' }), WinrmConfigError);
  assert.throws(() => createWinrmClient({ url: 'http://h:5985/wsman', auth: 'basic', username: 'u', password: PASSWORD, pinSha256: 'ab'.repeat(32) }), /https:\/\/ URLs only/);
  assert.throws(() => createWinrmClient({ url: 'https://h:5986/wsman', auth: 'basic', username: 'u', password: PASSWORD, pinSha256: 'nope' }), /pinSha256/);
  assert.throws(() => createWinrmClient({ url: 'ftp://h/wsman', auth: 'basic', username: 'u', password: PASSWORD }), /unsupported scheme/);
  assert.throws(() => createWinrmClient({ url: 'http://h:5985/wsman', auth: 'digest' as 'basic', username: 'u', password: PASSWORD }), /auth must be/);
});

test('user names only supply the NTLM domain; the method comes from configuration', async () => {
  assert.deepEqual(splitUser('CORP\\alice', undefined), { username: 'alice', domain: 'CORP' });
  assert.deepEqual(splitUser('alice@corp.example', undefined), { username: 'alice', domain: 'corp.example' });
  assert.deepEqual(splitUser('alice', undefined), { username: 'alice', domain: '' });
  assert.deepEqual(splitUser('CORP\\alice', 'OTHER'), { username: 'alice', domain: 'OTHER' });
  // auth: 'basic' with a DOMAIN\user name stays Basic, name untouched
  await withServer([{ status: 401, body: '' }], { username: 'CORP\\alice' }, async ({ server, client }) => {
    await assert.rejects(client.run('x'), /using Basic/);
    assert.equal(server.requests[0]!.headers.authorization, `Basic ${Buffer.from(`CORP\\alice:${PASSWORD}`).toString('base64')}`);
  });
});

test('PowerShell: -EncodedCommand of UTF-16LE, and the 8191 limit error before any request', async () => {
  assert.equal(encodePowerShell('Write-Output "héllo"; exit 3'), 'VwByAGkAdABlAC0ATwB1AHQAcAB1AHQAIAAiAGgA6QBsAGwAbwAiADsAIABlAHgAaQB0ACAAMwA=');
  const args = powerShellArgs('h:1', 'hostname');
  assert.deepEqual(args.slice(0, 5), ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand']);
  // 'powershell.exe' + flags + base64 = 8191 characters exactly fits; one script character more does not
  const overhead = ['powershell.exe', ...args.slice(0, 5)].join(' ').length + 1;
  const fits = 'a'.repeat(Math.floor(((8191 - overhead) / 4) * 3 / 2) - 1);
  assert.ok(['powershell.exe', ...powerShellArgs('h:1', fits)].join(' ').length <= 8191);
  await withServer([], {}, async ({ server, client }) => {
    await assert.rejects(client.runPowerShell('x'.repeat(3100)), (e: unknown) => {
      assert.ok(e instanceof WinrmCommandTooLongError);
      assert.equal(e.limit, 8191);
      assert.ok(e.length > 8191);
      assert.match(e.message, /over cmd\.exe's limit of 8191.*stdin/);
      return true;
    });
    await assert.rejects(client.run('echo', ['y'.repeat(8200)]), WinrmCommandTooLongError);
    await assert.rejects(client.run('echo', ['bell\u0007']), WinrmConfigError);
    assert.equal(server.requests.length, 0);
  });
});
