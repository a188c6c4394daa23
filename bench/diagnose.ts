// npm run bench -- diagnose: one host with 20 ms injected latency.
// Ours: the read plan as ONE WinRM command, the probes in parallel with it.
// Baseline (same run): the way single-command runners work: the probes one after another, then every
// read as its own command in its own shell (create, command, send, receive, signal, delete, each waited for).
import { performance } from 'node:perf_hooks';
import { findHost } from '../src/config/load.ts';
import { connectHost } from '../src/host/connect.ts';
import { executePlan } from '../src/host/executor.ts';
import { Plan, PLAN_VERSION } from '../src/host/operations.ts';
import { buildReadPlan } from '../src/rdp/read-plan.ts';
import { diagnose } from '../src/rdp/diagnose.ts';
import { probeRdp, probeTcp, resolveName, sampleTcp } from '../src/rdp/probes/index.ts';
import { checkTarget } from '../src/rdp/target.ts';
import { createWinrmClient } from '../src/winrm/index.ts';
import { startLabProcess, loopbackBasic } from './lib/lab-process.ts';
import { percentile, round1 } from './lib/stats.ts';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const BASELINE_RUNS = 3;
/**
 * What starting powershell.exe costs on a real host, per WinRM command: about 600 ms for Windows
 * PowerShell 5.1 on Windows 10 (PowerShell team, PowerShell/PowerShell#4239); 333 ms mean in the team's
 * startup benchmark on a developer machine (PowerShell/PowerShell#8341). The runtime compiles no C#.
 */
const POWERSHELL_STARTUP_MS = Number(process.env.BENCH_POWERSHELL_STARTUP_MS ?? 600);

/** Diagnosis p50 against a lab started with these extra flags (start-up cost, the real engine). */
async function diagnoseP50(extra: string[], runs: number): Promise<{ totalMs: number; planMs: number }> {
  const lab = await startLabProcess(['--host', 'work-pc=cert-expired', '--latency', String(LATENCY_MS), '--auth', 'basic', ...extra]);
  try {
    const host = loopbackBasic(findHost(lab.config, 'work-pc'));
    const target = checkTarget(host);
    const conn = await connectHost(host);
    const totals: number[] = [];
    const plans: number[] = [];
    await diagnose(target, { runPlan: conn.runPlan, dnsServers: lab.config.dns.servers });
    for (let i = 0; i < runs; i++) {
      await conn.client.whenIdle();
      const t = performance.now();
      const d = await diagnose(target, { runPlan: conn.runPlan, dnsServers: lab.config.dns.servers });
      totals.push(performance.now() - t);
      plans.push(d.timingsMs.plan);
    }
    await conn.close();
    return { totalMs: round1(percentile(totals, 50)), planMs: round1(percentile(plans, 50)) };
  } finally {
    await lab.stop();
  }
}

export async function benchDiagnose(): Promise<Record<string, unknown>> {
  const lab = await startLabProcess(['--host', 'work-pc=cert-expired', '--latency', String(LATENCY_MS), '--auth', 'basic']);
  try {
    const host = loopbackBasic(findHost(lab.config, 'work-pc'));
    const target = checkTarget(host);
    const conn = await connectHost(host);
    const dnsServers = lab.config.dns.servers;
    const ours: number[] = [];
    const probes: number[] = [];
    const plans: number[] = [];
    let commands = 0;
    await diagnose(target, { runPlan: conn.runPlan, dnsServers }); // warm: connection and shell open
    for (let i = 0; i < RUNS; i++) {
      await conn.client.whenIdle();
      const before = conn.client.stats.requests.command;
      const t = performance.now();
      const d = await diagnose(target, { runPlan: conn.runPlan, dnsServers });
      ours.push(performance.now() - t);
      probes.push(d.timingsMs.probes);
      plans.push(d.timingsMs.plan);
      commands = conn.client.stats.requests.command - before;
    }
    await conn.close();

    // Baseline: sequential probes, then one command per read, each in a fresh shell.
    const w = lab.hosts[0]!.winrm;
    const baseline: number[] = [];
    const reads = buildReadPlan().ops;
    for (let i = 0; i < BASELINE_RUNS; i++) {
      const t = performance.now();
      await resolveName(target.address, { servers: dnsServers, timeoutMs: 5000 });
      await probeTcp({ host: target.rdpHost, port: target.rdpPort, timeoutMs: 5000 });
      await probeTcp({ host: '127.0.0.1', port: Number(new URL(w.url).port), timeoutMs: 5000 });
      await sampleTcp({ host: target.rdpHost, port: target.rdpPort, timeoutMs: 5000, count: 3 });
      await probeRdp({ host: target.rdpHost, port: target.rdpPort, timeoutMs: 5000 });
      for (const op of reads) {
        const client = createWinrmClient({ url: w.url, auth: 'basic', username: w.username, password: w.password });
        await executePlan({ runPowerShell: (s, stdin) => client.runPowerShell(s, stdin) }, Plan.parse({ version: PLAN_VERSION, mode: 'read', ops: [op] }));
        await client.close(); // waits for Signal and Delete, as run_ps does
      }
      baseline.push(performance.now() - t);
    }

    const figures = {
      bench: 'diagnose',
      winrmCommands: commands,
      probeMsP50: round1(percentile(probes, 50)),
      planMsP50: round1(percentile(plans, 50)),
      oursMsP50: round1(percentile(ours, 50)),
      baselineMsP50: round1(percentile(baseline, 50)),
      baselineCommands: reads.length,
    };
    console.log(`Diagnosis of work-pc (cert-expired), ${LATENCY_MS} ms injected latency, ${RUNS} runs:`);
    console.log(`  ours: ${commands} WinRM command; probes p50 ${figures.probeMsP50} ms, plan p50 ${figures.planMsP50} ms, in parallel: total p50 ${figures.oursMsP50} ms`);
    console.log(`  total above max(probes, plan): ${round1(figures.oursMsP50 - Math.max(figures.probeMsP50, figures.planMsP50))} ms`);
    console.log(`  baseline (probes in sequence, then ${reads.length} commands, one per read, each in its own shell): p50 ${figures.baselineMsP50} ms`);
    // The same, as a real host would cost it: one powershell.exe start per command.
    const withStartup = await diagnoseP50(['--powershell-startup', String(POWERSHELL_STARTUP_MS)], 5);
    console.log(`  with powershell.exe start-up modelled (${POWERSHELL_STARTUP_MS} ms a command): ours p50 ${withStartup.totalMs} ms; the one-command-per-read baseline would add ${reads.length} x ${POWERSHELL_STARTUP_MS} ms = ${round1((reads.length * POWERSHELL_STARTUP_MS) / 1000)} s`);
    const real = await diagnoseP50(['--runtime', 'pwsh'], 3);
    console.log(`  with the real runtime engine under pwsh 7 on this machine (pwsh start-up included): ours p50 ${real.totalMs} ms, plan p50 ${real.planMs} ms`);
    return { ...figures, startupModelledMs: POWERSHELL_STARTUP_MS, oursWithStartupMsP50: withStartup.totalMs, oursRealEngineMsP50: real.totalMs };
  } finally {
    await lab.stop();
  }
}
