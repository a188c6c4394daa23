// `rdp-medic config check` as an operator runs it, as a process: a file with several mistakes gets
// every one listed with its path (exit 2) and no secret printed; a good file gets a summary (exit
// 0); --connect reaches a real Redis, lab hosts over WinRM and the fake Slack and Discord, and
// names each failure with its reason (exit 3): a host nobody listens for, a wrong password, an
// unreachable Redis, a refused token.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { startLab, type Lab } from '../../src/lab/lab.ts';
import { FakeDiscord } from '../fakes/discord/index.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, FakeSlack } from '../fakes/slack/index.ts';
import { freePort } from '../support/free-port.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'rdp-medic.js');
const LAB_PASSWORD = 'lab-Pa55word-for-config-check';
const WRONG_PASSWORD = 'not-the-lab-Pa55word';
const LITERAL = 'literal-Secret-in-the-file';
const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-config-check-'));

let redis: RedisServer;
let lab: Lab;
let slack: FakeSlack;
let discord: FakeDiscord;
let deadPort: number;
/** Accepts connections and never answers: a host whose WinRM hangs. */
let silent: net.Server;
const held: net.Socket[] = [];

before(async () => {
  [redis, lab, slack, discord, deadPort] = await Promise.all([
    startRedisServer({ appendonly: true }),
    startLab({ hosts: [{ name: 'work-pc', scenarios: ['healthy'] }], auth: 'ntlm', password: LAB_PASSWORD }),
    FakeSlack.start(),
    FakeDiscord.start(),
    freePort(),
  ]);
  silent = net.createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});

after(async () => {
  for (const socket of held) socket.destroy();
  await Promise.all([redis.stop(), lab.close(), slack.close(), discord.close(), new Promise((resolve) => silent.close(resolve))]);
  rmSync(dir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const child = spawn(process.execPath, [BIN, 'config', 'check', ...args], { env: { ...process.env, REDIS_URL: '', SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

function write(name: string, config: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, stringify(config));
  return file;
}

const labHost = (credential: string) => ({ address: 'work-pc.lab.test', winrm: { url: lab.hosts[0]!.winrm.url, auth: 'ntlm', credential }, groups: ['lab'] });

/** A valid file: the lab host and (with `wrong`) a host nobody listens for, one that never answers, and the lab host with a wrong password. */
function goodConfig(opts: { redisUrl?: string; wrong?: boolean } = {}): Record<string, unknown> {
  return {
    credentials: {
      lab: { username: 'Administrator', password: { env: 'LAB_PASSWORD' } },
      ...(opts.wrong ? { wrong: { username: 'Administrator', password: { file: 'wrong-password.txt' } } } : {}),
    },
    hosts: {
      'work-pc': labHost('lab'),
      ...(opts.wrong
        ? {
            'dead-pc': { winrm: { url: `http://127.0.0.1:${deadPort}/wsman`, auth: 'ntlm', credential: 'lab' } },
            'silent-pc': { winrm: { url: `http://127.0.0.1:${(silent.address() as net.AddressInfo).port}/wsman`, auth: 'ntlm', credential: 'lab' } },
            'wrong-pw': labHost('wrong'),
          }
        : {}),
    },
    policy: { roles: { responder: ['slack:U0ALICE'] } },
    redis: { url: opts.redisUrl ?? redis.url },
    slack: { mode: 'socket' },
    discord: { applicationId: '100000000000000001' },
  };
}

const chatEnv = (tokens: { slack?: string; discord?: string } = {}): NodeJS.ProcessEnv => ({
  LAB_PASSWORD,
  SLACK_BOT_TOKEN: tokens.slack ?? FAKE_BOT_TOKEN,
  SLACK_APP_TOKEN: FAKE_APP_TOKEN,
  SLACK_API_URL: slack.apiUrl,
  DISCORD_TOKEN: tokens.discord ?? discord.token,
  DISCORD_API_URL: discord.apiUrl,
});

/** No secret value of these tests appears in `text`. */
function assertNoSecret(text: string): void {
  for (const secret of [LAB_PASSWORD, WRONG_PASSWORD, LITERAL, FAKE_BOT_TOKEN, FAKE_APP_TOKEN, discord.token, 'topsecret-in-url']) {
    assert.ok(!text.includes(secret), `a secret was printed:\n${text}`);
  }
}

test('a file with several mistakes: every one listed with its path, exit 2, no secret printed', async () => {
  const file = write('bad.yaml', {
    credentials: {
      lab: { username: 'Administrator', password: { env: 'RDP_MEDIC_TEST_UNSET_VAR' } },
      other: { username: 'x', password: { file: 'no-such-secret.txt' } },
      literal: { username: 'y', password: { value: LITERAL } },
    },
    hosts: {
      'work-pc': { winrm: { url: 'ftp://work-pc/wsman', auth: 'digest', credential: 'lab' } },
      'kiosk-1': { winrm: { url: 'https://kiosk-1:5986/wsman', auth: 'basic', credential: 'literal', ca: 'no-such-ca.pem' }, colour: 'red' },
    },
    // Valid in shape, wrong in meaning: reported although the hosts above are malformed.
    policy: { roles: { responder: ['console:alice'] }, approve: { safe: ['approvers'] } },
    redis: { url: 'redis://:topsecret-in-url@127.0.0.1:1', password: { env: 'RDP_MEDIC_TEST_UNSET_REDIS' } },
    slack: { mode: 'http' },
  });
  const r = await run(['--config', file], { SLACK_BOT_TOKEN: 'not-a-bot-token-value' });
  assert.equal(r.code, 2, r.stderr);
  const expected = [
    /hosts\.work-pc\.winrm\.url: WinRM URL must be http:\/\/ or https:\/\//,
    /hosts\.work-pc\.winrm\.auth: .*"basic"\|"ntlm"\|"kerberos"\|"negotiate"/,
    /hosts\.kiosk-1: Unrecognized key: "colour"/,
    /policy\.approve\.safe\.0: unknown role "approvers"/,
    /credentials\.lab\.password: environment variable RDP_MEDIC_TEST_UNSET_VAR is not set/,
    /credentials\.other\.password: cannot read secret file .*no-such-secret\.txt: ENOENT/,
    /redis\.password: environment variable RDP_MEDIC_TEST_UNSET_REDIS is not set/,
    /hosts\.kiosk-1\.winrm\.ca: cannot read .*no-such-ca\.pem: ENOENT/,
    /slack\.botToken \(env SLACK_BOT_TOKEN\): expected a bot token/,
    /slack\.signingSecret \(env SLACK_SIGNING_SECRET\): HTTP mode needs the app's signing secret/,
  ];
  for (const line of expected) assert.match(r.stderr, line);
  assert.match(r.stderr, new RegExp(`${expected.length} mistakes; nothing was connected to`));
  assertNoSecret(r.stdout + r.stderr);
  assert.ok(!(r.stdout + r.stderr).includes('not-a-bot-token-value'), 'the bad token is not echoed');
});

test('a good file: a summary of hosts, credentials, chat and Redis, exit 0, no secret printed', async () => {
  const file = write('good.yaml', goodConfig({ wrong: true }));
  writeFileSync(join(dir, 'wrong-password.txt'), `${WRONG_PASSWORD}\n`);
  const r = await run(['--config', file], chatEnv());
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /configuration is valid and every secret resolves/);
  assert.match(r.stdout, /hosts: 4; groups lab/);
  assert.match(r.stdout, /credentials: lab \(Administrator, password from env LAB_PASSWORD\); wrong \(Administrator, password from file .*wrong-password\.txt\)/);
  assert.match(r.stdout, /chat: slack \(Socket Mode\), discord \(application 100000000000000001\)/);
  assert.match(r.stdout, new RegExp(`redis: redis://127\\.0\\.0\\.1:${redis.port}`));
  assert.doesNotMatch(r.stdout, /connecting/, 'nothing connected without --connect');
  assertNoSecret(r.stdout + r.stderr);
});

test('--connect: Redis, the host and both tokens reached, exit 0', async () => {
  const file = write('connect-ok.yaml', goodConfig());
  const r = await run(['--config', file, '--connect'], chatEnv());
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok {5}redis redis:\/\/127\.0\.0\.1:\d+\/?: PONG/);
  assert.match(r.stdout, /ok {5}host work-pc: WORK-PC answered over HTTP with ntlm as Administrator/);
  assert.match(r.stdout, /ok {5}slack bot token \(SLACK_BOT_TOKEN\): bot user/);
  assert.match(r.stdout, /ok {5}slack app token \(SLACK_APP_TOKEN\)/);
  assert.match(r.stdout, /ok {5}discord bot token \(DISCORD_TOKEN\): bot rdpbot/);
  assert.match(r.stdout, /all 5 connection checks passed/);
  assertNoSecret(r.stdout + r.stderr);
});

test('--connect: each failure named with its reason (a dead host, a silent one, a wrong password, Redis down, refused tokens), exit 3', async () => {
  const file = write('connect-bad.yaml', goodConfig({ wrong: true, redisUrl: `redis://127.0.0.1:${deadPort}` }));
  const r = await run(['--config', file, '--connect', '--timeout', '2000'], chatEnv({ slack: 'xoxb-not-the-fake-token', discord: 'not.the.fake-discord-token' }));
  assert.equal(r.code, 3, r.stdout + r.stderr);
  assert.match(r.stdout, /ok {5}host work-pc: WORK-PC answered/, 'the good host still passes');
  assert.match(r.stdout, /FAILED host dead-pc: .*(ECONNREFUSED|refused)/i);
  assert.match(r.stdout, /FAILED host wrong-pw: .*authentication failed/i);
  assert.match(r.stdout, /FAILED host silent-pc: did not answer within 2000 ms/);
  assert.match(r.stdout, new RegExp(`FAILED redis redis://127\\.0\\.0\\.1:${deadPort}/?: not reachable: .*ECONNREFUSED`));
  assert.match(r.stdout, /FAILED slack bot token \(SLACK_BOT_TOKEN\): Slack refused it \(auth\.test: invalid_auth\)/);
  assert.match(r.stdout, /FAILED discord bot token \(DISCORD_TOKEN\): Discord refused it \(GET \/users\/@me: HTTP 401/);
  assert.match(r.stderr, /6 of 8 connection checks failed: redis .*, host dead-pc, host silent-pc, host wrong-pw, slack bot token/);
  assertNoSecret(r.stdout + r.stderr);
  assert.ok(!(r.stdout + r.stderr).includes('xoxb-not-the-fake-token'));
});
