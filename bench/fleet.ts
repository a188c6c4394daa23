// npm run bench -- fleet: `check group:lab` over 1,000 lab hosts (50 ms injected latency on every
// WinRM response and RDP answer), two worker processes, the bot in this process. Measures command
// to complete summary, command to first reply (p99 over single-host checks sent during the run),
// and each worker's peak RSS (VmHWM). Baseline in the same run: hosts checked one at a time with a
// fresh connection each, as single-host runners do, timed on a sample and scaled to the fleet.
// BENCH_CONCURRENCY: diagnoses per worker (default 25); BENCH_CPU_PROFILE_DIR: CPU profiles of the
// lab and the workers.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import { startBot } from '../src/processes/bot.ts';
import { findHost } from '../src/config/load.ts';
import { Config } from '../src/config/schema.ts';
import { startRedisServer } from '../src/demo/local-redis.ts';
import { connectHost } from '../src/host/connect.ts';
import { silentLogger } from '../src/log.ts';
import { diagnose } from '../src/rdp/diagnose.ts';
import { checkTarget } from '../src/rdp/target.ts';
import { BenchChat, type Post } from './lib/bench-chat.ts';
import { startLabProcess } from './lib/lab-process.ts';
import { cpuProfileFlags, percentile, round1 } from './lib/stats.ts';

const HOSTS = Number(process.env.BENCH_FLEET ?? 1000);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const WORKERS = 2;
const PROBE_COMMANDS = 100;
const BASELINE_SAMPLE = 20;
const ROOT = join(import.meta.dirname, '..');
const BUILT_CLI = join(ROOT, 'dist', 'cli.js');
/** The heap cap the Dockerfile gives workers (NODE_OPTIONS): V8 collects before it grows past it. */
const WORKER_NODE_OPTIONS = [`--max-old-space-size=${process.env.BENCH_WORKER_HEAP_MB ?? 192}`, ...cpuProfileFlags()];

/** Workers run as they do in production (the Dockerfile): compiled, not through tsx. */
function build(): void {
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
  spawnSync(process.execPath, [join(ROOT, 'scripts', 'copy-assets.js')], { stdio: 'inherit' });
}

function peakRssMbOf(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? round1(Number(m[1]) / 1024) : NaN;
}

async function startWorkerProcess(configFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...WORKER_NODE_OPTIONS, BUILT_CLI, 'worker', '--config', configFile], { env: { ...process.env, RDP_MEDIC_OPS_PORT: '0', LOG_LEVEL: 'info' }, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => {
      if (l.includes('worker ready')) {
        child.removeAllListeners('exit');
        lines.close();
        child.stdout!.resume();
        resolve();
      }
    });
  });
  return child;
}

const stop = (child: ChildProcess): Promise<unknown> => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : (child.once('exit', resolve), child.kill('SIGTERM'))));

export async function benchFleet(): Promise<Record<string, unknown>> {
  build();
  const redis = await startRedisServer();
  const lab = await startLabProcess(['--hosts', String(HOSTS), '--latency', String(LATENCY_MS)]);
  const workers: ChildProcess[] = [];
  try {
    const config = Config.parse({
      ...lab.config,
      redis: { url: redis.url, requirePersistence: false },
      // 25 diagnoses per worker keep both cores busy at 50 ms latency (the fleet took as long at 100);
      // more only lengthens every diagnosis in flight, a person's too.
      workers: { diagnoseConcurrency: Number(process.env.BENCH_CONCURRENCY ?? 25) },
      bot: { maxTargets: HOSTS, summaryIntervalMs: 1000 },
      policy: { roles: { responder: ['console:alice'] }, rateLimit: { commandsPerMinute: 10_000 } },
    });
    const configFile = join(lab.configFile, '..', 'fleet.yaml');
    writeFileSync(configFile, stringify(config), { mode: 0o600 });
    for (let i = 0; i < WORKERS; i++) workers.push(await startWorkerProcess(configFile));
    const chat = new BenchChat();
    const bot = await startBot(config, [chat], silentLogger);
    const alice = { platform: 'console' as const, id: 'alice', name: 'alice', groups: [] };
    try {
      console.log(`fleet: ${HOSTS} lab hosts, ${LATENCY_MS} ms latency per response, ${WORKERS} worker processes`);
      const t0 = performance.now();
      // When the summary first showed a tenth, a quarter, ... of the hosts checked: a long tail (one
      // slow host) or a slow start reads differently from a slow fleet.
      const progress = new Map<number, number>();
      const complete = new Promise<number>((resolve) => {
        const on = (p: Post): void => {
          if (p.op !== 'update') return;
          const done = Number(/(\d+) of \d+ (?:checked|done)/.exec(p.card.title)?.[1] ?? 0);
          for (const share of [10, 25, 50, 75, 90]) if (done * 100 >= share * HOSTS && !progress.has(share)) progress.set(share, p.at - t0);
          if (p.card.title.includes(`${HOSTS} of ${HOSTS} checked`)) resolve(p.at - t0);
        };
        chat.posts.on('post', on);
      });
      const fleet = await chat.command('check group:lab', alice, 'C-fleet');
      // First replies while the fleet runs: single-host checks, one every 20 ms.
      const firstReplies: number[] = [];
      const verdicts: Promise<number>[] = [];
      for (let i = 0; i < PROBE_COMMANDS; i++) {
        const sent = await chat.command(`check ${lab.hosts[(i * 7) % HOSTS]!.name}`, alice, `C-${i}`);
        firstReplies.push(sent.firstReplyMs);
        verdicts.push(sent.verdictMs);
        await new Promise((r) => setTimeout(r, 20));
      }
      const summaryMs = await complete;
      const verdictMs = await Promise.all(verdicts);
      const rss = workers.map((w) => peakRssMbOf(w.pid!));
      console.log(`  command to complete summary: ${round1(summaryMs)} ms (first reply of the fleet command ${round1(fleet.firstReplyMs)} ms)`);
      console.log(`  summary showed ${[...progress].map(([share, ms]) => `${share}% checked at ${round1(ms)} ms`).join(', ')} (it updates at most every second)`);
      console.log(`  command to first reply over ${PROBE_COMMANDS} checks during the run: p50 ${round1(percentile(firstReplies, 50))} ms, p99 ${round1(percentile(firstReplies, 99))} ms`);
      console.log(`  command to verdict of those single-host checks (they go ahead of the fleet's hosts): p50 ${round1(percentile(verdictMs, 50))} ms, p99 ${round1(percentile(verdictMs, 99))} ms`);
      console.log(`  worker peak RSS: ${rss.join(' MB, ')} MB`);

      // Baseline: one host at a time, a fresh connection each (a single-host runner), on a sample.
      const t1 = performance.now();
      for (let i = 0; i < BASELINE_SAMPLE; i++) {
        const host = findHost(config, lab.hosts[i]!.name);
        const conn = await connectHost(host);
        await diagnose(checkTarget(host), { runPlan: conn.runPlan, dnsServers: config.dns.servers });
        await conn.close();
      }
      const perHost = (performance.now() - t1) / BASELINE_SAMPLE;
      const baselineMs = perHost * HOSTS;
      console.log(`  baseline, one host at a time: ${round1(perHost)} ms per host (${BASELINE_SAMPLE} timed) x ${HOSTS} = ${round1(baselineMs / 1000)} s`);
      console.log(`  speed-up: ${round1(baselineMs / summaryMs)}x`);
      return {
        bench: 'fleet',
        hosts: HOSTS,
        workers: WORKERS,
        summaryMs: round1(summaryMs),
        baselineMs: round1(baselineMs),
        workerPeakRssMb: Math.max(...rss),
        firstReplyMsP99: round1(percentile(firstReplies, 99)),
        singleHostVerdictMsP99: round1(percentile(verdictMs, 99)),
      };
    } finally {
      await bot.close();
    }
  } finally {
    await Promise.all(workers.map(stop));
    await lab.stop();
    await redis.stop();
  }
}
