// One phase of `npm run bench -- hostile`, in a process of its own so its peak RSS is its own: runs
// the read plan against one WinRM endpoint (through the config schema and connectHost, as a worker
// does) again and again for `durationMs`, then prints one JSON line. The password comes in the
// environment (BENCH_WINRM_PASSWORD), never on the command line.
import { HostConfig } from '../../src/config/schema.ts';
import type { HostId } from '../../src/config/schema.ts';
import { connectHost } from '../../src/host/connect.ts';
import { buildReadPlan } from '../../src/rdp/read-plan.ts';

export interface PhaseInput {
  url: string;
  auth: 'basic' | 'ntlm';
  username: string;
  /** Extra winrm settings of the host (caps, timeouts). */
  winrm: Record<string, unknown>;
  durationMs: number;
}

export interface PhaseOutput {
  runs: number;
  ok: number;
  /** Error names and how often. */
  errors: Record<string, number>;
  firstError: string | undefined;
  peakRssMb: number;
}

const input = JSON.parse(process.argv[2] ?? '{}') as PhaseInput;
const conn = await connectHost({
  id: 'bench-host' as HostId,
  // Loopback hosts, Basic over http:// by the bench's choice (production refuses it without this opt-in).
  config: HostConfig.parse({ winrm: { url: input.url, auth: input.auth, credential: 'bench', allowBasicOverHttp: true, ...input.winrm } }),
  credential: { username: input.username, password: { env: 'BENCH_WINRM_PASSWORD' } },
});
const plan = buildReadPlan();
const out: PhaseOutput = { runs: 0, ok: 0, errors: {}, firstError: undefined, peakRssMb: 0 };
const until = Date.now() + input.durationMs;
while (Date.now() < until) {
  out.runs += 1;
  try {
    await conn.runPlan(plan);
    out.ok += 1;
  } catch (error) {
    const name = error instanceof Error ? error.name : 'unknown';
    out.errors[name] = (out.errors[name] ?? 0) + 1;
    out.firstError ??= error instanceof Error ? error.message : String(error);
  }
}
await conn.close();
out.peakRssMb = Math.round(process.resourceUsage().maxRSS / 102.4) / 10;
console.log(JSON.stringify(out));
