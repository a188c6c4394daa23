// A real Redis Sentinel deployment on loopback for tests: a primary, a replica (--replicaof) and
// 1-3 sentinels (`redis-server <conf> --sentinel`), each a redis-server process with its own temp
// dir and config file, AOF on (appendfsync everysec). Optionally passwords (data nodes and
// sentinels apart) and TLS everywhere (a test CA, certificates for 127.0.0.1). Readiness and
// failovers are awaited on events: the servers' own log lines and the sentinels' pub/sub events
// (+switch-master, +promoted-slave), never on the clock.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';
import { createCertificate, createLabCa } from '../../src/lab/certs/index.ts';
import { findRedisServer } from '../../src/demo/local-redis.ts';
import { freePort } from '../support/free-port.ts';

export interface SentinelGroupOptions {
  /** Number of sentinels (quorum: a majority). Default: 1. */
  sentinels?: 1 | 2 | 3;
  /** requirepass/masterauth of the data nodes (and the sentinels' auth-pass). */
  password?: string;
  /** requirepass of the sentinels themselves. */
  sentinelPassword?: string;
  /** TLS on every port (data nodes, replication, sentinels); plaintext ports are off. */
  tls?: boolean;
  /** Sentinel's down-after-milliseconds (how soon a killed primary is noticed). Default: 1000. */
  downAfterMs?: number;
  /** Readiness deadline per process. Default: 20 s. */
  readyTimeoutMs?: number;
}

export interface Address {
  host: string;
  port: number;
}

export interface RedisNode {
  readonly port: number;
  readonly dir: string;
  readonly pid: number;
  readonly alive: boolean;
  /** Output of the process (last 8 KB), for failure messages. */
  log(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

export interface SentinelGroup {
  readonly name: string;
  readonly sentinels: Address[];
  readonly nodes: RedisNode[];
  /** PEM files of the test CA and the nodes' certificate (tls only). */
  readonly tlsFiles: { ca: string; cert: string; key: string } | null;
  /** ioredis options to reach a data node or sentinel directly (auth, TLS). */
  clientOptions(kind: 'data' | 'sentinel', at: Address): RedisOptions;
  /** The primary the sentinels name now. */
  primary(): Promise<Address>;
  /**
   * SENTINEL FAILOVER (a graceful switchover: the old primary stays up). `onPromoted` runs when the
   * replica has been promoted and before the old primary is demoted; resolves once the old primary
   * has been turned into a replica of the new one (+convert-to-slave), seconds after +switch-master.
   */
  switchover(opts?: { onPromoted?: () => void | Promise<void> }): Promise<Address>;
  /** SIGKILL of the current primary; resolves when the sentinels switched to the replica. */
  killPrimary(): Promise<Address>;
  stop(): Promise<void>;
}

const NAME = 'mymaster';

async function replicaReady(sentinel: Redis, deadlineMs: number): Promise<void> {
  const until = Date.now() + deadlineMs;
  try {
    for (;;) {
      const replicas = (await sentinel.call('SENTINEL', 'REPLICAS', NAME)) as string[][];
      const good = replicas.some((flat) => {
        const f = new Map<string, string>();
        for (let i = 0; i + 1 < flat.length; i += 2) f.set(flat[i]!, flat[i + 1]!);
        return f.get('flags') === 'slave' && f.get('master-link-status') === 'ok' && Number(f.get('info-refresh') ?? 1e9) < 5_000 && f.get('slave-repl-offset') !== '0';
      });
      if (good) return;
      if (Date.now() > until) throw new Error(`the sentinel sees no promotable replica after ${deadlineMs} ms: ${JSON.stringify(replicas)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    sentinel.disconnect();
  }
}

/** Resolves when `re` matches the output so far; rejects when the process exits or the deadline passes. */
function waitForLine(child: ChildProcess, output: () => string, re: RegExp, deadlineMs: number, what: string): Promise<void> {
  if (re.test(output())) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`${what}: no "${re.source}" within ${deadlineMs} ms:\n${output()}`)), deadlineMs);
    const onData = (): void => {
      if (re.test(output())) finish();
    };
    const onExit = (code: number | null): void => finish(new Error(`${what} exited (${code}) before "${re.source}":\n${output()}`));
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

interface Spawned extends RedisNode {
  child: ChildProcess;
  output: () => string;
}

function launch(bin: string, conf: string, port: number, dir: string, sentinel: boolean): Spawned {
  const child = spawn(bin, [conf, ...(sentinel ? ['--sentinel'] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer): void => {
    output = (output + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let alive = true;
  const exited = new Promise<void>((resolve) => child.once('exit', () => ((alive = false), resolve())));
  return {
    child,
    port,
    dir,
    output: () => output,
    log: () => output,
    get pid() {
      return child.pid ?? -1;
    },
    get alive() {
      return alive;
    },
    kill: async (signal) => {
      if (!alive) return;
      child.kill(signal);
      await exited;
    },
  };
}

/** One redis-server with these config lines (port, bind and dir are added), for odd setups: Cluster mode, CONFIG disabled. */
export async function startRedisNode(lines: string[], readyTimeoutMs = 20_000): Promise<RedisNode & { url: string; stop(): Promise<void> }> {
  const root = mkdtempSync(join(tmpdir(), 'rdp-medic-node-'));
  const port = await freePort();
  const conf = join(root, 'redis.conf');
  writeFileSync(conf, `${[`port ${port}`, 'bind 127.0.0.1', `dir ${root}`, 'daemonize no', ...lines].join('\n')}\n`);
  const node = launch(findRedisServer(), conf, port, root, false);
  const onExit = (): void => {
    node.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const stop = async (): Promise<void> => {
    process.off('exit', onExit);
    await node.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitForLine(node.child, node.output, /Ready to accept connections/, readyTimeoutMs, 'redis node');
  } catch (e) {
    await stop();
    throw e;
  }
  return Object.assign(node, { url: `redis://127.0.0.1:${port}`, stop });
}

export async function startSentinelGroup(opts: SentinelGroupOptions = {}): Promise<SentinelGroup> {
  const bin = findRedisServer();
  const root = mkdtempSync(join(tmpdir(), 'rdp-medic-sentinel-'));
  const readyMs = opts.readyTimeoutMs ?? 20_000;
  const spawned: Spawned[] = [];
  const subscribers: Redis[] = [];
  const cleanup = async (): Promise<void> => {
    for (const s of subscribers) s.disconnect();
    await Promise.all(spawned.map((s) => s.kill('SIGKILL')));
    rmSync(root, { recursive: true, force: true });
  };
  const onExit = (): void => {
    for (const s of spawned) s.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    let tlsFiles: SentinelGroup['tlsFiles'] = null;
    if (opts.tls) {
      const now = Date.now();
      const ca = createLabCa({ commonName: 'rdp-medic test Redis CA' });
      const leaf = createCertificate({ commonName: '127.0.0.1', ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'], notBefore: new Date(now - 86_400_000), notAfter: new Date(now + 86_400_000), issuer: ca });
      tlsFiles = { ca: join(root, 'ca.pem'), cert: join(root, 'redis.pem'), key: join(root, 'redis.key') };
      writeFileSync(tlsFiles.ca, ca.certPem);
      writeFileSync(tlsFiles.cert, leaf.certPem);
      writeFileSync(tlsFiles.key, leaf.keyPem, { mode: 0o600 });
    }
    const listen = (port: number): string[] =>
      tlsFiles
        ? ['port 0', `tls-port ${port}`, `tls-cert-file ${tlsFiles.cert}`, `tls-key-file ${tlsFiles.key}`, `tls-ca-cert-file ${tlsFiles.ca}`, 'tls-replication yes', 'tls-auth-clients no']
        : [`port ${port}`];
    const dataNode = async (name: string, replicaOf: number | null): Promise<Spawned> => {
      const port = await freePort();
      const nodeDir = mkdtempSync(join(root, `${name}-data-`));
      const conf = join(nodeDir, 'redis.conf');
      const lines = [
        ...listen(port),
        'bind 127.0.0.1',
        `dir ${nodeDir}`,
        'save ""',
        'appendonly yes',
        'appendfsync everysec',
        'daemonize no',
        'loglevel notice',
        ...(opts.password ? [`requirepass ${opts.password}`, `masterauth ${opts.password}`] : []),
        ...(replicaOf !== null ? [`replicaof 127.0.0.1 ${replicaOf}`] : []),
      ];
      writeFileSync(conf, `${lines.join('\n')}\n`);
      const node = launch(bin, conf, port, nodeDir, false);
      spawned.push(node);
      await waitForLine(node.child, node.output, /Ready to accept connections/, readyMs, `redis ${name}`);
      if (replicaOf !== null) await waitForLine(node.child, node.output, /MASTER <-> REPLICA sync: Finished with success/, readyMs, `replica ${name}`);
      return node;
    };
    const primary = await dataNode('primary', null);
    const replica = await dataNode('replica', primary.port);
    const count = opts.sentinels ?? 1;
    const quorum = Math.floor(count / 2) + 1;
    const sentinels: Spawned[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(root, `sentinel-${i}-`));
      const conf = join(dir, 'sentinel.conf');
      const lines = [
        ...listen(port),
        'bind 127.0.0.1',
        `dir ${dir}`,
        'daemonize no',
        `sentinel monitor ${NAME} 127.0.0.1 ${primary.port} ${quorum}`,
        `sentinel down-after-milliseconds ${NAME} ${opts.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${NAME} 10000`,
        `sentinel parallel-syncs ${NAME} 1`,
        ...(opts.password ? [`sentinel auth-pass ${NAME} ${opts.password}`] : []),
        ...(opts.sentinelPassword ? [`requirepass ${opts.sentinelPassword}`, `sentinel sentinel-pass ${opts.sentinelPassword}`] : []),
      ];
      writeFileSync(conf, `${lines.join('\n')}\n`);
      const s = launch(bin, conf, port, dir, true);
      spawned.push(s);
      sentinels.push(s);
    }
    // Each sentinel monitors the primary, has seen the replica, and (with several) the others.
    await Promise.all(
      sentinels.map(async (s, i) => {
        await waitForLine(s.child, s.output, /\+monitor master/, readyMs, `sentinel ${i}`);
        await waitForLine(s.child, s.output, /\+slave slave 127\.0\.0\.1:\d+/, readyMs, `sentinel ${i} (replica)`);
        for (let k = 1; k < count; k++) await waitForLine(s.child, s.output, new RegExp(`(\\+sentinel sentinel [\\s\\S]*){${k}}`), readyMs, `sentinel ${i} (peers)`);
      }),
    );

    const ca = tlsFiles ? readFileSync(tlsFiles.ca) : null;
    const clientOptions = (kind: 'data' | 'sentinel', at: Address): RedisOptions => {
      const password = kind === 'data' ? opts.password : opts.sentinelPassword;
      return {
        host: at.host,
        port: at.port,
        maxRetriesPerRequest: 1,
        retryStrategy: () => null,
        ...(password ? { password } : {}),
        ...(ca ? { tls: { ca } } : {}),
      };
    };
    const sentinelAddrs = sentinels.map((s) => ({ host: '127.0.0.1', port: s.port }));
    // A sentinel promotes only a replica it has read INFO from itself (not just heard of from the
    // primary): poll each sentinel's view until the replica's link is up (a condition, with a deadline).
    await Promise.all(sentinelAddrs.map((at) => replicaReady(new Redis(clientOptions('sentinel', at)), readyMs)));

    /** Subscribes to a sentinel's events; resolves `event` the first time `channel` is published. */
    const subscribe = async (): Promise<{ next(channel: string): Promise<string>; close(): void }> => {
      const sub = new Redis({ ...clientOptions('sentinel', sentinelAddrs[0]!), retryStrategy: (n) => (n > 20 ? null : 100), maxRetriesPerRequest: null });
      subscribers.push(sub);
      const waiting = new Map<string, (msg: string) => void>();
      sub.on('message', (channel: string, msg: string) => {
        const w = waiting.get(channel);
        if (w) {
          waiting.delete(channel);
          w(msg);
        }
      });
      await sub.subscribe('+switch-master', '+promoted-slave', '+convert-to-slave');
      return {
        next: (channel) => new Promise((resolve) => waiting.set(channel, resolve)),
        close: () => sub.disconnect(),
      };
    };

    const primaryAddr = async (): Promise<Address> => {
      const c = new Redis(clientOptions('sentinel', sentinelAddrs[0]!));
      try {
        const [host, port] = (await c.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)) as [string, string];
        return { host, port: Number(port) };
      } finally {
        c.disconnect();
      }
    };

    const nodes: Spawned[] = [primary, replica];
    let stopped = false;
    return {
      name: NAME,
      sentinels: sentinelAddrs,
      nodes,
      tlsFiles,
      clientOptions,
      primary: primaryAddr,
      async switchover(o = {}) {
        const events = await subscribe();
        try {
          const promoted = events.next('+promoted-slave');
          const switched = events.next('+switch-master');
          const demoted = events.next('+convert-to-slave');
          const c = new Redis(clientOptions('sentinel', sentinelAddrs[0]!));
          try {
            await c.call('SENTINEL', 'FAILOVER', NAME);
          } finally {
            c.disconnect();
          }
          await promoted;
          await o.onPromoted?.();
          const msg = await switched;
          // Done when the old primary is a replica again: until then it still takes (and later loses) writes.
          await demoted;
          const [, , , host, port] = msg.split(' ');
          return { host: host!, port: Number(port) };
        } finally {
          events.close();
        }
      },
      async killPrimary() {
        const events = await subscribe();
        try {
          const switched = events.next('+switch-master');
          const current = await primaryAddr();
          const node = nodes.find((n) => n.port === current.port && n.alive);
          if (!node) throw new Error(`no live node on ${current.port}`);
          await node.kill('SIGKILL');
          const msg = await switched;
          const [, , , host, port] = msg.split(' ');
          return { host: host!, port: Number(port) };
        } finally {
          events.close();
        }
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        process.off('exit', onExit);
        await cleanup();
      },
    };
  } catch (e) {
    process.off('exit', onExit);
    await cleanup();
    throw e;
  }
}
