// npm run bench -- hostile: memory while a hostile WinRM host streams forever (issue 12: an endless
// stdout once grew a worker's RSS by 1.1 GB in 4 s and aborted it under the compose heap cap). Each
// phase runs the read plan again and again for a few seconds in a fresh process, under the workers'
// heap cap (docker-compose.yml, --max-old-space-size=192), so each peak RSS is that phase's alone:
//  - baseline: a healthy lab host, the normal plan;
//  - with the default caps: endless Receive output, one endless response body, a runtime frame
//    that never closes (the hostile server of test/fakes, in this process);
//  - the caps raised to 1 GiB against the endless body, as a worker was before the caps (the hostile
//    server stops each stream by itself at 256 MiB; BENCH_UNCAPPED=0 leaves this phase out).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { HostileWsman } from '../test/fakes/hostile-wsman.ts';
import type { HostileMode } from '../test/fakes/hostile-wsman.ts';
import { startLabProcess } from './lib/lab-process.ts';
import type { PhaseInput, PhaseOutput } from './lib/hostile-phase.ts';

const DURATION_MS = Number(process.env.BENCH_HOSTILE_MS ?? 4000);
const UNCAPPED = process.env.BENCH_UNCAPPED !== '0';
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? 192);
const GIB = 1024 ** 3;
/** Within the default 512 KiB response cap once base64-encoded, as a host that follows the protocol sends it. */
const ANSWER_BYTES = 256 * 1024;
const PHASE = join(import.meta.dirname, 'lib', 'hostile-phase.ts');

/** A phase's figures, or how its process died (a V8 heap abort under the cap, say). */
type PhaseResult = PhaseOutput | { died: string };

function runPhase(input: PhaseInput, password: string): Promise<PhaseResult> {
  const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', PHASE, JSON.stringify(input)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_WINRM_PASSWORD: password },
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  return new Promise((resolve) => {
    let result: PhaseOutput | undefined;
    createInterface({ input: child.stdout }).on('line', (line) => (result = JSON.parse(line) as PhaseOutput));
    child.once('exit', (code, signal) => {
      if (result && code === 0) resolve(result);
      else {
        const why = /heap out of memory|Allocation failed[^\n]*/i.exec(stderr)?.[0] ?? (stderr.trim().split('\n').at(-1) ?? '');
        resolve({ died: `the process died (${signal ?? `exit code ${code}`}): ${why}` });
      }
    });
  });
}

async function hostilePhase(mode: HostileMode, winrm: Record<string, unknown>, durationMs = DURATION_MS): Promise<PhaseResult> {
  const server = await HostileWsman.start(mode);
  try {
    return await runPhase({ url: server.url, auth: 'basic', username: 'Administrator', winrm, durationMs }, 'hostile-bench');
  } finally {
    await server.close();
  }
}

const peak = (p: PhaseResult): number | null => ('died' in p ? null : p.peakRssMb);
const describe = (p: PhaseResult): string =>
  'died' in p
    ? `ABORTED: ${p.died}`
    : `${p.peakRssMb} MB (${p.runs} plan(s), ${p.ok} ok, errors ${JSON.stringify(p.errors)}${p.firstError ? `; e.g. "${p.firstError}"` : ''})`;

export async function benchHostile(): Promise<Record<string, unknown>> {
  const lab = await startLabProcess(['--scenario', 'healthy', '--auth', 'basic']);
  let baseline: PhaseResult;
  try {
    const w = lab.hosts[0]!.winrm;
    baseline = await runPhase({ url: w.url, auth: w.auth, username: w.username, winrm: {}, durationMs: DURATION_MS }, w.password);
  } finally {
    await lab.stop();
  }
  const endless = await hostilePhase({ kind: 'endless-output', chunkBytes: ANSWER_BYTES }, {});
  const body = await hostilePhase({ kind: 'huge-body' }, {});
  const frame = await hostilePhase({ kind: 'base64-stream', chunkBytes: ANSWER_BYTES }, {});
  const uncapped = UNCAPPED
    ? await hostilePhase({ kind: 'huge-body' }, { maxResponseBytes: GIB, maxOutputBytes: GIB, maxResultBytes: GIB })
    : undefined;

  console.log(`Hostile WinRM hosts: the read plan again and again for ${DURATION_MS} ms per phase, in a process under --max-old-space-size=${HEAP_MB}; its peak RSS:`);
  console.log(`  baseline, a healthy lab host: ${describe(baseline)}`);
  console.log(`  endless Receive output (${ANSWER_BYTES / 1024} KiB per answer), default caps: ${describe(endless)}`);
  console.log(`  one endless response body, default caps: ${describe(body)}`);
  console.log(`  a runtime frame that never closes, default caps: ${describe(frame)}`);
  if (uncapped) console.log(`  one endless response body, caps raised to 1 GiB (a worker before the caps): ${describe(uncapped)}`);
  return {
    bench: 'hostile',
    heapCapMb: HEAP_MB,
    baselinePeakRssMb: peak(baseline),
    endlessOutputPeakRssMb: peak(endless),
    endlessBodyPeakRssMb: peak(body),
    endlessFramePeakRssMb: peak(frame),
    ...(uncapped ? { uncappedEndlessBodyPeakRssMb: peak(uncapped), uncappedAborted: 'died' in uncapped } : {}),
  };
}
