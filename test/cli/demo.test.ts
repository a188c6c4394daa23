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
  assert.match(out, /\[OK\] work-pc: fixed · looks healthy\n {2}Fixed at .* \(asked by @alice, approved by @bob\)/, 'the root says the host was fixed');
  // The unreachable host: its whole answer (verdict and the one finding) within 1,500 characters.
  const offline = /\(updated m\d+\)\n(\[PROBLEM\] kiosk-07: [\s\S]*?)\n\w+> /.exec(out)?.[1] ?? '';
  assert.match(offline.replace(/\n[ |]*/g, ' '), /Tried from rdp-medic: .* What to do: check that the machine is running/);
  assert.ok(offline.length <= 1500, `${offline.length} characters:\n${offline}`);
  assert.match(out, /group:lab: 5 of 5 checked/);
  assert.match(out, /group:lab: 3 hosts left out/);
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

test('piped: the line after a confirm prompt answers it and the lines after it still run', async () => {
  // Enabling the firewall rules opens the RDP port: the request and the approval each ask to confirm.
  const { code, out } = await runDemo([], 'check web-01\n/click Fix:\ny\n/as bob\n/click Approve\ny\n/click Undo\ny\nstatus web-01\nhosts\n');
  assert.equal(code, 0, out);
  assert.match(out, /bob> \/click Approve\nApprove on web-01\?\n[\s\S]*It opens TCP and UDP 3389 to any address until someone undoes it\./);
  assert.match(out, /bob> \/click Undo\nUndo on web-01\?[\s\S]*\nbob> y\n[\s\S]*@bob asks to undo Enable the Remote Desktop firewall rules on web-01/);
  assert.match(out, /\nbob> status web-01\n[\s\S]*\nbob> hosts\n[\s\S]*5 hosts in the inventory/);
  assert.match(out, /Stopped\./);
});

test('Ctrl-C during start-up says it is stopping, then stops what had started (redis-server too)', async () => {
  const child = spawn(process.execPath, ['bin/rdp-medic.js', 'demo'], { env: { ...process.env, REDIS_URL: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve) => {
    const on = (d: Buffer): void => {
      out += d.toString();
      // The first moment there is something to stop: Redis is up, the lab is not yet.
      if (/Redis: a throwaway redis-server on/.test(out)) {
        child.stdout.off('data', on);
        child.stdout.on('data', (more: Buffer) => (out += more.toString()));
        resolve();
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  });
  child.kill('SIGINT');
  const { code, signal } = await exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, out);
  assert.match(out, /\nStopping the demo \(bot, worker, lab, Redis\) \.\.\.\nStopped\.\n$/);
  assert.ok(await portClosed(redisPort(out)), 'redis-server still listening after Ctrl-C');
});

test('Ctrl-C while a check runs: it says it is stopping, everything stops, exit 0', async () => {
  const child = spawn(process.execPath, ['bin/rdp-medic.js', 'demo'], { env: { ...process.env, REDIS_URL: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('You are alice.') && !out.includes('alice> check')) child.stdin.write('check group:lab\n');
      if (out.includes('alice> check group:lab')) resolve();
    });
  });
  const at = out.length;
  child.kill('SIGINT');
  assert.equal(await exited, 0, out);
  assert.match(out.slice(at), /Stopping the demo/);
  assert.match(out, /Stopped\.\n$/);
  assert.ok(await portClosed(redisPort(out)), 'redis-server still listening after Ctrl-C');
});
