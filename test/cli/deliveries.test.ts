// The dead-letter list as the operator sees it: a running `rdp-medic bot` shows it on /healthz and
// /metrics, `rdp-medic deliveries list` prints it, `deliveries redrive` puts a message back on the
// queue and the running bot delivers it (here to its --console). Bad input changes nothing.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { loadConfig } from '../../src/config/load.ts';
import { ConversationStore } from '../../src/state/conversations.ts';
import { DeadLetters } from '../../src/state/dead-letters.ts';
import { createRedis, type Redis } from '../../src/state/redis.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';
import { freePort } from '../support/free-port.ts';

let server: RedisServer;
let redis: Redis;
let dir: string;
let file: string;
let letters: DeadLetters;

const CONVERSATION = 'r-deadletter01';
const LETTER_ID = `dlv.${CONVERSATION}.root`;
const TITLE = 'Checking work-pc for @alice (re-driven)';

before(async () => {
  server = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'rdp-medic-deliveries-'));
  file = join(dir, 'config.yaml');
  writeFileSync(
    file,
    stringify({
      credentials: { lab: { username: 'Administrator', password: { value: 'pw' } } },
      hosts: { 'work-pc': { address: 'work-pc.lab.test', winrm: { url: 'http://127.0.0.1:1/wsman', auth: 'ntlm', credential: 'lab' } } },
      // A throwaway test Redis keeps nothing; the bot would (rightly) refuse it otherwise.
      redis: { url: server.url, requirePersistence: false },
    }),
  );
  const prefix = loadConfig(file).redis.prefix;
  redis = createRedis({ url: server.url });
  letters = new DeadLetters(redis, prefix);
  // A console conversation whose root could not be delivered.
  await new ConversationStore(redis, prefix).create({
    id: CONVERSATION,
    kind: 'check',
    ref: { platform: 'console', channel: 'console', rootMessageId: null, threadId: null, handle: null },
    requester: { platform: 'console', id: 'alice', name: 'alice', groups: [] },
    createdAt: new Date().toISOString(),
    subject: 'work-pc',
  });
  await letters.add({
    id: LETTER_ID,
    platform: 'console',
    conversationId: CONVERSATION,
    keys: ['root'],
    reason: 'still failing after 15 min (retry window 15 min): platform answered 500',
    failedAt: new Date().toISOString(),
    failingSince: new Date(Date.now() - 15 * 60_000).toISOString(),
    attempts: 40,
    job: { platform: 'console', conversationId: CONVERSATION, messages: [{ op: 'root', key: 'root', card: { title: TITLE, status: 'running', sections: [], actions: [] } }] },
  });
});

after(async () => {
  await redis.quit();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  out: string;
}

function cli(args: string[]): Promise<Ran> {
  const child = spawn(process.execPath, ['bin/rdp-medic.js', ...args], { env: { ...process.env, REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, out })));
}

function startBot(port: number): { child: ChildProcess; line: (re: RegExp) => Promise<void>; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/rdp-medic.js', 'bot', '--config', file, '--console'], { env: { ...process.env, REDIS_URL: '', RDP_MEDIC_OPS_PORT: String(port) }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const waiters: { re: RegExp; resolve: () => void }[] = [];
  const onData = (d: Buffer): void => {
    out += d.toString();
    for (const w of waiters.filter((x) => x.re.test(out))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
  void exit.then(() => clearTimeout(timer));
  // A bot that exits before printing the line fails the wait at once, with what it said.
  const exited = exit.then((code) => Promise.reject(new Error(`the bot exited (${String(code)}) before printing the line:\n${out}`)));
  exited.catch(() => undefined);
  const line = (re: RegExp): Promise<void> => (re.test(out) ? Promise.resolve() : Promise.race([new Promise<void>((resolve) => waiters.push({ re, resolve })), exited]));
  return { child, output: () => out, exit, line };
}

const get = async (port: number, path: string): Promise<{ status: number; text: string }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) });
  return { status: res.status, text: await res.text() };
};

test('a dead letter on /healthz and /metrics and in `deliveries list`; re-driven, the running bot delivers it once', async () => {
  const port = await freePort();
  const bot = startBot(port);
  try {
    await bot.line(/\/healthz and \/metrics listening/);

    const health = await get(port, '/healthz');
    assert.equal(health.status, 200, 'shown, not failed: a restart would deliver nothing');
    const report = JSON.parse(health.text) as { ok: boolean; checks: Record<string, { ok: boolean; detail: string }> };
    assert.deepEqual(report.checks.deliveries, { ok: true, detail: '1 undelivered message in the dead-letter list: rdp-medic deliveries list' });
    assert.match((await get(port, '/metrics')).text, /^rdp_medic_dead_letters\{process="bot"\} 1$/m);

    // `deliveries` alone lists (each CLI run starts a process: kept to four on a busy machine).
    const listed = await cli(['deliveries', '--config', file]);
    assert.equal(listed.code, 0, listed.out);
    assert.match(listed.out, /^1 undelivered message \(oldest first\):$/m);
    assert.match(listed.out, new RegExp(`^${LETTER_ID.replaceAll('.', '\\.')}  console  ${CONVERSATION}  messages: root$`, 'm'));
    assert.match(listed.out, /given up at .* after 900 s of retries \(40 attempts\): still failing after 15 min .*platform answered 500/);
    assert.match(listed.out, /rdp-medic deliveries redrive ID/);

    // Bad input: a clear message, exit 2, nothing changed (the known id next to it is not re-driven either).
    const unknown = await cli(['deliveries', 'redrive', 'dlv.nope', LETTER_ID, '--config', file]);
    assert.equal(unknown.code, 2, unknown.out);
    assert.match(unknown.out, /no undelivered message dlv\.nope .*nothing was re-driven/);
    assert.equal(await letters.count(), 1, 'still listed');
    assert.doesNotMatch(bot.output(), new RegExp(TITLE.replace(/[()]/g, '\\$&')));

    const redriven = await cli(['deliveries', 'redrive', LETTER_ID, '--config', file]);
    assert.equal(redriven.code, 0, redriven.out);
    assert.match(redriven.out, new RegExp(`^re-driven ${LETTER_ID.replaceAll('.', '\\.')} \\(console, ${CONVERSATION}: root\\) as job \\S+redrive-\\S+$`, 'm'));
    await bot.line(new RegExp(TITLE.replace(/[()]/g, '\\$&')));

    const after = await cli(['deliveries', 'list', '--json', '--config', file]);
    assert.equal(after.code, 0, after.out);
    assert.equal(after.out, '', 'the list is empty');
    assert.match((await get(port, '/metrics')).text, /^rdp_medic_dead_letters\{process="bot"\} 0$/m);
    assert.equal((JSON.parse((await get(port, '/healthz')).text) as typeof report).checks.deliveries!.detail, 'no undelivered messages');
    assert.equal(bot.output().split(TITLE).length - 1, 1, 'delivered once');
  } finally {
    bot.child.kill('SIGTERM');
    assert.equal(await bot.exit, 0, bot.output());
  }
});
