// A throwaway real redis-server (Debian package) for the demo and the tests: a free 127.0.0.1 port, its own temp dir,
// no RDB snapshots, AOF on or off. Readiness is proven by connecting and getting PONG (with a
// deadline), never by sleeping. restart() keeps the port and dir so AOF-restart tests can check
// what survived. stop() asks for SHUTDOWN NOSAVE, then SIGTERM, then SIGKILL, and removes the dir.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface RedisServerOptions {
  /** appendonly yes (AOF) or no. Default: no. */
  appendonly?: boolean;
  /** How AOF reaches the disk: fsync on every write, or once a second (what deployments use). Default: always. */
  appendfsync?: 'always' | 'everysec';
  /** Readiness deadline per start. Default: 10 s. */
  readyTimeoutMs?: number;
}

export interface RedisServer {
  readonly port: number;
  readonly dir: string;
  readonly url: string;
  readonly pid: number;
  /** Stops the server (SIGKILL when `hard`, to simulate a crash) and starts it again on the same port and dir. */
  restart(opts?: { hard?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

const CANDIDATES = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'];

export function findRedisServer(): string {
  const dirs = (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => join(d, 'redis-server'));
  for (const candidate of [...dirs, ...CANDIDATES]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error('redis-server not found: install it with `sudo apt-get install -y redis-server` (Debian/Ubuntu), or set REDIS_URL to a Redis you have');
}


/** One raw RESP exchange: PING -> +PONG proves the server accepts commands (not just connections). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

/**
 * Connects until PONG. Between attempts it waits for the server's next log line (it logs "Ready to
 * accept connections" once listening), its exit, or the deadline: events, not sleeps.
 */
async function waitReady(child: ChildProcess, port: number, deadlineMs: number, log: () => string): Promise<void> {
  let exited: number | null | undefined;
  let timedOut = false;
  const onExit = (code: number | null): void => {
    exited = code;
  };
  child.once('exit', onExit);
  const deadline = setTimeout(() => {
    timedOut = true;
    child.emit('rdp-medic:deadline');
  }, deadlineMs);
  // Log lines that arrive while a PING is in flight must not be missed: count them.
  let lines = 0;
  const onData = (): void => {
    lines++;
  };
  child.stdout?.on('data', onData);
  try {
    while (true) {
      if (exited !== undefined) throw new Error(`redis-server exited (${exited}) before it was ready:\n${log()}`);
      const seen = lines;
      if (await ping(port)) return;
      if (lines !== seen) continue;
      if (timedOut) throw new Error(`redis-server on port ${port} not ready after ${deadlineMs} ms:\n${log()}`);
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          child.stdout?.off('data', wake);
          child.off('exit', wake);
          child.off('rdp-medic:deadline', wake);
          resolve();
        };
        child.stdout?.once('data', wake);
        child.once('exit', wake);
        child.once('rdp-medic:deadline', wake);
      });
    }
  } finally {
    clearTimeout(deadline);
    child.off('exit', onExit);
    child.stdout?.off('data', onData);
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SHUTDOWN NOSAVE over RESP; then SIGTERM; then SIGKILL, each with a bounded wait on the exit event. */
async function terminate(child: ChildProcess, port: number, hard: boolean): Promise<void> {
  const exited = exitOf(child);
  const within = (ms: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  if (hard) {
    child.kill('SIGKILL');
    await exited;
    return;
  }
  // A refused SHUTDOWN (an error reply: e.g. an AOF rewrite, a replica to wait for) leaves the
  // connection open, so the ask is bounded too: then SIGTERM, then SIGKILL.
  await new Promise<void>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => s.end('SHUTDOWN NOSAVE\r\n'));
    s.setTimeout(2000, () => s.destroy());
    s.once('error', () => resolve());
    s.once('close', () => resolve());
  });
  if (await within(3000)) return;
  child.kill('SIGTERM');
  if (await within(3000)) return;
  child.kill('SIGKILL');
  await exited;
}

export async function startRedisServer(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const bin = findRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-redis-'));
  const port = await freePort();
  const readyMs = opts.readyTimeoutMs ?? 10_000;
  let child: ChildProcess;
  let output = '';

  const launch = async (): Promise<void> => {
    output = '';
    // Every option on the command line: no config file, nothing outside `dir` is touched.
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', opts.appendonly ? 'yes' : 'no', '--appendfsync', opts.appendfsync ?? 'always', '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'notice'];
    child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer): void => {
      output = (output + d.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    try {
      await waitReady(child, port, readyMs, () => output);
    } catch (err) {
      await terminate(child, port, true);
      throw err;
    }
  };

  try {
    await launch();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  // A test process that dies (uncaught error) must not leave a server behind.
  const onExit = (): void => {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  return {
    port,
    dir,
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return child.pid ?? -1;
    },
    async restart(r = {}) {
      if (stopped) throw new Error('redis-server was stopped');
      await terminate(child, port, r.hard ?? false);
      await launch();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      process.off('exit', onExit);
      await terminate(child, port, false);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
