// npm run bench -- winrm: the WinRM layer against lab hosts with 20 ms injected latency.
//  - round trips on the critical path of one full read plan, cold (new connection and shell) and warm;
//  - our time above round trips x latency (p50);
//  - pywinrm's run_ps on the same lab as the baseline (its round trips and time);
//  - 200 hosts in parallel from this one process: every plan completes; peak RSS.
// The lab runs in a child process, so time and memory here are the client's.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { findHost } from '../src/config/load.ts';
import { connectHost } from '../src/host/connect.ts';
import { buildReadPlan } from '../src/rdp/read-plan.ts';
import { startLabProcess } from './lib/lab-process.ts';
import { startLab } from '../src/lab/lab.ts';
import { executePlan } from '../src/host/executor.ts';
import { createWinrmClient } from '../src/winrm/index.ts';
import { peakRssMb, percentile, round1 } from './lib/stats.ts';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const RUNS = 15;
const FLEET = Number(process.env.BENCH_FLEET ?? 200);

/** Critical-path round trips: every request except the background Signal and Delete. */
function criticalPath(requests: Record<string, number>): number {
  return Object.entries(requests)
    .filter(([step]) => step !== 'signal' && step !== 'delete')
    .reduce((n, [, count]) => n + count, 0);
}

export async function benchWinrm(): Promise<Record<string, unknown>> {
  const lab = await startLabProcess(['--scenario', 'healthy', '--latency', String(LATENCY_MS), '--auth', 'basic']);
  const plan = buildReadPlan();
  const figures: Record<string, number> = {};
  try {
    const host = findHost(lab.config, 'healthy');

    // Cold and warm, Basic (pre-emptive: no handshake legs) and NTLM with message encryption.
    const coldWarm = async (auth: 'basic' | 'ntlm') => {
      // The lab is on loopback: Basic over http is accepted here explicitly (connectHost refuses it otherwise).
      const conn = await connectHost({ ...host, config: { ...host.config, winrm: { ...host.config.winrm, auth, allowBasicOverHttp: true } } });
      const before = { ...conn.client.stats.requests };
      const t0 = performance.now();
      await conn.runPlan(plan);
      const coldMs = performance.now() - t0;
      const coldTrips = criticalPath(conn.client.stats.requests) - criticalPath(before) + (auth === 'ntlm' ? conn.client.stats.handshakes * 2 : 0);
      const warm: number[] = [];
      const cpu: number[] = [];
      let warmTrips = 0;
      for (let i = 0; i < RUNS; i++) {
        // Warm = connection and shell open, the previous command's background Signal finished.
        await conn.client.whenIdle();
        const b = { ...conn.client.stats.requests };
        const c0 = process.cpuUsage();
        const t = performance.now();
        await conn.runPlan(plan);
        warm.push(performance.now() - t);
        const c = process.cpuUsage(c0);
        cpu.push((c.user + c.system) / 1000);
        warmTrips = criticalPath(conn.client.stats.requests) - criticalPath(b);
      }
      // Back to back (no idle gap): the previous Signal shares the one connection, one more latency hop.
      const backToBack: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await conn.runPlan(plan);
        backToBack.push(performance.now() - t);
      }
      await conn.close();
      return { coldTrips, coldMs, warmTrips, warm, cpu, backToBack };
    };
    const basic = await coldWarm('basic');
    const ntlm = await coldWarm('ntlm');
    const oursP50 = percentile(basic.warm, 50);
    const overheadP50 = oursP50 - basic.warmTrips * LATENCY_MS;

    // pywinrm run_ps, the same lab host, Basic.
    const w = lab.hosts[0]!.winrm;
    const py = spawnSync('/usr/bin/python3', [join(import.meta.dirname, 'pywinrm_run_ps.py'), w.url, w.username, w.password, String(RUNS)], {
      encoding: 'utf8',
      env: { ...process.env, NO_PROXY: '127.0.0.1,localhost' },
    });
    if (py.status !== 0) throw new Error(`pywinrm baseline failed: ${py.stderr}`);
    const pyMs = (JSON.parse(py.stdout) as { ms: number[] }).ms;
    // run_ps: Create, Command, Receive, Signal, Delete, each waited for (pywinrm has no background cleanup).
    const pywinrmRoundTrips = 5;

    console.log(`WinRM, ${LATENCY_MS} ms injected latency per response, full read plan (${plan.ops.length} operations, one command):`);
    console.log(`  ours, Basic: cold ${basic.coldTrips} round trips ${round1(basic.coldMs)} ms; warm ${basic.warmTrips} round trips p50 ${round1(oursP50)} ms`);
    console.log(`  ours, NTLM + encryption: cold ${ntlm.coldTrips} round trips (2 are the NTLM handshake) ${round1(ntlm.coldMs)} ms; warm ${ntlm.warmTrips} round trips p50 ${round1(percentile(ntlm.warm, 50))} ms`);
    console.log(`  time above round trips x latency: p50 ${round1(overheadP50)} ms per plan (wall: includes the simulated host's own work and timer slack)`);
    console.log(`  of which our process's CPU (client, runtime plan, result parsing): p50 ${round1(percentile(basic.cpu, 50))} ms per plan`);
    console.log(`  back to back on one connection (each waits for the previous Signal): p50 ${round1(percentile(basic.backToBack, 50))} ms`);
    console.log(`  baseline pywinrm run_ps (one trivial command): ${pywinrmRoundTrips} round trips p50 ${round1(percentile(pyMs, 50))} ms`);
    Object.assign(figures, {
      roundTripsWarm: basic.warmTrips,
      roundTripsCold: basic.coldTrips,
      roundTripsColdNtlmEncrypted: ntlm.coldTrips,
      overheadMsP50: round1(overheadP50),
      ourCpuMsP50: round1(percentile(basic.cpu, 50)),
      pywinrmRoundTrips,
      pywinrmMsP50: round1(percentile(pyMs, 50)),
      oursMsP50: round1(oursP50),
    });
  } finally {
    await lab.stop();
  }

  Object.assign(figures, await benchKerberos(plan));

  // 200 hosts in parallel from this process.
  const fleet = await startLabProcess(['--hosts', String(FLEET), '--scenario', 'healthy', '--latency', String(LATENCY_MS), '--auth', 'ntlm']);
  let completed = 0;
  let fleetMs = 0;
  try {
    const t = performance.now();
    const results = await Promise.allSettled(
      Object.keys(fleet.config.hosts).map(async (id) => {
        const conn = await connectHost(findHost(fleet.config, id));
        try {
          await conn.runPlan(plan);
          completed++;
        } finally {
          await conn.close();
        }
      }),
    );
    fleetMs = performance.now() - t;
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length) console.log(`  ${failed.length} plan(s) failed, first: ${String((failed[0] as PromiseRejectedResult).reason)}`);
  } finally {
    await fleet.stop();
  }
  const rss = peakRssMb();
  console.log(`  ${FLEET} hosts in parallel (NTLM + encryption): ${completed}/${FLEET} plans completed in ${round1(fleetMs)} ms; peak RSS ${rss} MB`);
  return { bench: 'winrm', ...figures, hosts200Completed: completed, hosts200PeakRssMb: rss };
}

/**
 * Kerberos over HTTPS against a throwaway KDC and an in-process lab host (its time counts here, so only
 * the round trips compare with the figures above). HTTP exchanges beyond the SOAP requests are
 * authentication legs: NTLM has two per connection, Kerberos none (the ticket rides on the first request).
 */
async function benchKerberos(plan: ReturnType<typeof buildReadPlan>): Promise<Record<string, number>> {
  const password = 'bench-Kerb3ros!';
  // auth 'kerberos' starts the lab's throwaway KDC and points this process's KRB5_CONFIG at it.
  const lab = await startLab({ hosts: [{ name: 'healthy', scenarios: ['healthy'] }], auth: 'kerberos', https: true, latencyMs: LATENCY_MS, password });
  const out: Record<string, number> = {};
  try {
    for (const auth of ['kerberos', 'ntlm'] as const) {
      const client = createWinrmClient({
        url: lab.hosts[0]!.winrm.url, auth, username: auth === 'kerberos' ? 'Administrator@LAB.TEST' : 'Administrator', password,
        ca: lab.caPem ?? undefined, ...(auth === 'kerberos' ? { kerberos: { spn: 'HTTP/healthy.lab.test' } } : {}),
      });
      const runner = { runPowerShell: (script: string, stdin?: Buffer | string) => client.runPowerShell(script, stdin) };
      const trips = (): number => {
        const soap = Object.values(client.stats.requests).reduce((a, b) => a + b, 0);
        return criticalPath(client.stats.requests) + (client.stats.roundTrips - soap);
      };
      const t0 = performance.now();
      await executePlan(runner, plan);
      const coldMs = performance.now() - t0;
      const coldTrips = trips();
      const warm: number[] = [];
      let warmTrips = 0;
      for (let i = 0; i < RUNS; i++) {
        await client.whenIdle();
        const before = trips();
        const t = performance.now();
        await executePlan(runner, plan);
        warm.push(performance.now() - t);
        warmTrips = trips() - before;
      }
      await client.close();
      console.log(`  ours, ${auth === 'kerberos' ? 'Kerberos' : 'NTLM'} over HTTPS (in-process lab and KDC): cold ${coldTrips} round trips ${round1(coldMs)} ms; warm ${warmTrips} round trips p50 ${round1(percentile(warm, 50))} ms; used ${client.stats.authUsed}`);
      const key = auth === 'kerberos' ? 'Kerberos' : 'NtlmHttps';
      Object.assign(out, { [`roundTripsCold${key}`]: coldTrips, [`roundTripsWarm${key}`]: warmTrips, [`msWarmP50${key}`]: round1(percentile(warm, 50)) });
    }
  } finally {
    await lab.close();
  }
  return out;
}
