// `rdp-medic worker` and `rdp-medic bot` as separate processes, as compose runs them: ready, /healthz
// and /metrics answer, SIGTERM stops them cleanly; bad configuration stops them at start, with the
// path of the mistake.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import { FakeDiscord } from '../fakes/discord/server.ts';
import { IDS } from '../fakes/discord/snowflake.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';
import { FakeSlack } from '../fakes/slack/index.ts';
import { freePort } from '../support/free-port.ts';

let redis: RedisServer;
let dir: string;
const config = (extra: Record<string, unknown> = {}): string => {
  const file = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
  const base = {
    credentials: { lab: { username: 'Administrator', password: { value: 'pw' } } },
    hosts: { 'work-pc': { address: 'work-pc.lab.test', winrm: { url: 'http://127.0.0.1:1/wsman', auth: 'ntlm', credential: 'lab' } } },
    redis: { url: redis.url, requirePersistence: false },
  };
  writeFileSync(file, stringify({ ...base, ...extra }));
  return file;
};

before(async () => {
  redis = await startRedisServer();
  dir = mkdtempSync(join(tmpdir(), 'rdp-medic-proc-'));
});
after(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[], env: Record<string, string> = {}): { child: ChildProcess; output: () => string; line: (re: RegExp) => Promise<void>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/rdp-medic.js', ...args], { env: { ...process.env, REDIS_URL: '', ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
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
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  void exit.then(() => clearTimeout(timer));
  return { child, output: () => out, line: (re) => (re.test(out) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ re, resolve }))), exit };
}

for (const kind of ['worker', 'bot'] as const) {
  test(`${kind}: ready, /healthz and /metrics, then a clean stop on SIGTERM`, async () => {
    const port = await freePort();
    const p = start(kind === 'bot' ? ['bot', '--config', config(), '--console'] : ['worker', '--config', config()], { RDP_MEDIC_OPS_PORT: String(port) });
    await p.line(new RegExp(`${kind} ready`));
    await p.line(/\/healthz and \/metrics listening/);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(5000) });
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { ok: boolean }).ok, true);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    assert.match(metrics, /rdp_medic_jobs\{/);
    assert.match(metrics, /rdp_medic_process_resident_memory_bytes/);
    p.child.kill('SIGTERM');
    assert.equal(await p.exit, 0, p.output());
    assert.doesNotMatch(p.output(), /"pw"|password":"pw/);
  });
}

test('bot without a chat platform refuses to start and says how to configure one', async () => {
  const p = start(['bot', '--config', config()], { RDP_MEDIC_OPS_PORT: '0' });
  assert.equal(await p.exit, 2, p.output());
  assert.match(p.output(), /no chat platform configured/);
});

// A supervisor restarts a bot that exits; one that stays up with a dead platform is never restarted.
test('bot exits non-zero, naming Slack, when Slack rejects its token at start', async () => {
  const slack = await FakeSlack.start();
  try {
    const file = config({ slack: { botToken: 'xoxb-revoked', appToken: 'xapp-1-revoked', mode: 'socket', apiUrl: slack.apiUrl } });
    const p = start(['bot', '--config', file], { RDP_MEDIC_OPS_PORT: '0' });
    assert.equal(await p.exit, 3, p.output()); // the command failed (EXIT.failed)
    assert.match(p.output(), /cannot start the bot: Slack rejected the bot token .*invalid_auth/);
    assert.doesNotMatch(p.output(), /xoxb-revoked|xapp-1-revoked/, 'tokens never printed');
  } finally {
    await slack.close();
  }
});

test('bot exits non-zero, naming Discord, when Discord rejects its token at start', async () => {
  const discord = await FakeDiscord.start();
  try {
    const file = config({ discord: { token: 'revoked-token', applicationId: IDS.application, apiUrl: discord.apiUrl } });
    const p = start(['bot', '--config', file], { RDP_MEDIC_OPS_PORT: '0' });
    assert.equal(await p.exit, 3, p.output()); // the command failed (EXIT.failed)
    assert.match(p.output(), /cannot start the bot: Discord rejected the bot token/);
    assert.doesNotMatch(p.output(), /will retry/, 'it does not promise a retry it will not make');
    assert.doesNotMatch(p.output(), /revoked-token/, 'the token is never printed');
  } finally {
    await discord.close();
  }
});

test('a config mistake stops the worker at start with its path in the file', async () => {
  const p = start(['worker', '--config', config({ workers: { diagnoseConcurrency: 0 } })], { RDP_MEDIC_OPS_PORT: '0' });
  assert.equal(await p.exit, 2, p.output());
  assert.match(p.output(), /workers\.diagnoseConcurrency/);
});
