// `rdp-medic demo` as a newcomer runs it: the scripted walkthrough ends in a verified fix, and
// everything the demo started (redis-server, the lab) is gone when it exits.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';

function runDemo(args: string[], stdin: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/rdp-medic.js', 'demo', ...args], { env: { ...process.env, REDIS_URL: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
    child.stdin.end(stdin);
  });
}

const redisPort = (out: string): string => /redis-server on redis:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1] ?? '';

async function portClosed(port: string): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port: Number(port) });
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
}

test('demo --auto: alice asks, bob approves, the fix is verified; carol\'s role covers two hosts; everything stops', async () => {
  const { code, out } = await runDemo(['--auto'], '');
  assert.equal(code, 0, out);
  assert.match(out, /@alice may not approve safe fixes/);
  assert.match(out, /applied on WORK-PC and verified/);
  assert.match(out, /group:lab: 4 of 4 checked/);
  assert.match(out, /group:lab: 2 hosts left out/);
  assert.match(out, /group:lab: 2 of 2 checked/);
  assert.match(out, /Stopped\./);
  assert.ok(await portClosed(redisPort(out)), 'redis-server still listening after the demo');
});

test('demo reading a script from stdin stops cleanly at the end of input', async () => {
  const { code, out } = await runDemo([], 'hosts\ncheck nope-pc\n');
  assert.equal(code, 0, out);
  assert.match(out, /work-pc/);
  assert.match(out, /unknown host "nope-pc"/i);
  assert.match(out, /Stopped\./);
});
