// Host connections in a worker: one per inventory host, reused by every diagnosis and fix of it
// (one keep-alive connection and one shell), closed when idle. Hosts are resolved from the
// worker's own configuration: a job names a host, never an endpoint or a credential.
import { findHost } from '../config/load.ts';
import type { Config } from '../config/schema.ts';
import { connectHost, type HostConnection } from '../host/connect.ts';
import { buildReadPlan, readPlanFacts, type HostFacts } from '../rdp/read-plan.ts';
import type { Logger } from '../log.ts';
import { diagnose, examine, type Examination } from '../rdp/diagnose.ts';
import { checkTarget } from '../rdp/target.ts';
import type { CheckTarget, Diagnosis } from '../rdp/types.ts';

export interface HostHandle {
  target: CheckTarget;
  runPlan: HostConnection['runPlan'];
  diagnose(): Promise<Diagnosis>;
  /** A diagnosis with the facts and probes it rests on (the evidence export). */
  examine(): Promise<Examination>;
  readFacts(): Promise<HostFacts>;
}

interface Entry {
  conn: Promise<HostConnection>;
  target: CheckTarget;
  lastUsed: number;
  busy: number;
}

export class HostPool {
  private readonly entries = new Map<string, Entry>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly idleMs: number,
    /** Idle connections beyond this are closed, least recently used first (a fleet check touches each host once). */
    private readonly maxIdle = 100,
  ) {
    this.timer = setInterval(() => void this.closeIdle(), Math.min(idleMs, 30_000));
    this.timer.unref();
  }

  /** Runs `work` with the host's connection; the connection stays open for the next job. */
  async use<T>(hostId: string, work: (host: HostHandle) => Promise<T>): Promise<T> {
    const entry = this.entry(hostId);
    entry.busy++;
    try {
      const conn = await entry.conn;
      const runPlan = conn.runPlan;
      const dns = this.config.dns;
      const deps = { runPlan, dnsServers: dns.servers, timeoutMs: dns.timeoutMs * 2, winrmAuth: () => conn.client.stats.authUsed };
      const handle: HostHandle = {
        target: entry.target,
        runPlan,
        diagnose: () => diagnose(entry.target, deps),
        examine: () => examine(entry.target, deps),
        readFacts: async () => readPlanFacts(await runPlan(buildReadPlan())),
      };
      return await work(handle);
    } finally {
      entry.busy--;
      entry.lastUsed = Date.now();
      if (this.entries.size > this.maxIdle) void this.evictIdle();
    }
  }

  private async evictIdle(): Promise<void> {
    const idle = [...this.entries].filter(([, e]) => e.busy === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed);
    const excess = this.entries.size - this.maxIdle;
    for (const [id, e] of idle.slice(0, Math.max(0, excess))) {
      this.entries.delete(id);
      await e.conn.then((c) => c.close()).catch(() => undefined);
    }
  }

  private entry(hostId: string): Entry {
    const existing = this.entries.get(hostId);
    if (existing) return existing;
    const host = findHost(this.config, hostId);
    const entry: Entry = { conn: connectHost(host, { logger: this.logger }), target: checkTarget(host), lastUsed: Date.now(), busy: 0 };
    // A failed connect is not cached: the next job tries again.
    entry.conn.catch(() => this.entries.delete(hostId));
    this.entries.set(hostId, entry);
    return entry;
  }

  private async closeIdle(): Promise<void> {
    const now = Date.now();
    for (const [id, e] of this.entries) {
      if (e.busy === 0 && now - e.lastUsed > this.idleMs) {
        this.entries.delete(id);
        await e.conn.then((c) => c.close()).catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.conn.then((c) => c.close()).catch(() => undefined)));
  }
}
