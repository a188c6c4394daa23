// diagnose(): the ONE read plan over WinRM in parallel with the bot-side probes, every check, the
// findings ordered most-likely-root-cause first. Never throws for host problems: a WinRM failure
// becomes a HostAccessFailure and the probes still give a full Diagnosis.
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { buildReadPlan, readPlanFacts, type HostFacts, type ReadPlanOptions } from './read-plan.ts';
import type { Plan, PlanResult } from '../host/operations.ts';
import {
  probeRdp, probeTcp, resolveName, sampleTcp,
  type DnsResolution, type RdpProbeOptions, type RdpProbeResult, type ResolveOptions, type TcpProbeOptions, type TcpProbeResult,
  type TcpSampleOptions, type TcpSampleResult,
} from './probes/index.ts';
import { evaluateChecks, orderFindings } from './checks/index.ts';
import { accessHeadline, classifyHostError, winrmEndpoint } from './diagnose-access.ts';
import { CHECK_IDS, type CheckInput, type CheckTarget, type Diagnosis, type Finding, type HostAccessFailure, type ProbeEvidence, type Verdict } from './types.ts';

export { classifyHostError, accessHeadline, winrmEndpoint } from './diagnose-access.ts';

export interface DiagnoseProbes {
  dns(name: string, opts: ResolveOptions): Promise<DnsResolution>;
  rdp(opts: RdpProbeOptions): Promise<RdpProbeResult>;
  tcp(opts: TcpProbeOptions): Promise<TcpProbeResult>;
  sample(opts: TcpSampleOptions): Promise<TcpSampleResult>;
}

export interface DiagnoseDeps {
  /** Runs one plan as one WinRM command. */
  runPlan(plan: Plan): Promise<PlanResult>;
  /** How the connection authenticated, read once the plan ran (undefined before any login). */
  winrmAuth?: () => string | undefined;
  /** Probe overrides (tests); defaults are the real probes of src/rdp/probes. */
  probe?: Partial<DiagnoseProbes>;
  /** DNS servers for the name lookup (default: the system's). */
  dnsServers?: string[];
  /** Budget of each probe (default 5000 ms). */
  timeoutMs?: number;
  now?: () => Date;
  classifyError?(err: unknown): HostAccessFailure;
  /** Read plan options (e.g. tighter host limits: `{ limits: { cimTimeoutSec: 2 } }`). */
  readPlan?: ReadPlanOptions;
}

export const DEFAULT_PROBES: DiagnoseProbes = { dns: resolveName, rdp: probeRdp, tcp: probeTcp, sample: sampleTcp };
export const LATENCY_SAMPLES = 3;

const round = (ms: number): number => Math.round(ms * 10) / 10;

async function runProbes(target: CheckTarget, deps: DiagnoseDeps): Promise<ProbeEvidence> {
  const p = { ...DEFAULT_PROBES, ...deps.probe };
  const timeoutMs = deps.timeoutMs ?? 5000;
  const winrm = winrmEndpoint(target);
  const isName = net.isIP(target.address.replace(/^\[|\]$/g, '')) === 0;
  // All at once: the slowest probe bounds the wait, not their sum.
  const [dns, tcpRdp, tcpWinrm, latency, rdp] = await Promise.all([
    isName ? p.dns(target.address, { timeoutMs, ...(deps.dnsServers?.length ? { servers: deps.dnsServers } : {}) }) : Promise.resolve(null),
    p.tcp({ host: target.rdpHost, port: target.rdpPort, timeoutMs }),
    p.tcp({ host: winrm.host, port: winrm.port, timeoutMs }),
    p.sample({ host: target.rdpHost, port: target.rdpPort, timeoutMs, count: LATENCY_SAMPLES }),
    p.rdp({ host: target.rdpHost, port: target.rdpPort, timeoutMs, ...(isName ? { servername: target.address } : {}) }),
  ]);
  return { dns, tcpRdp, tcpWinrm, latency, rdp };
}

async function readHost(target: CheckTarget, deps: DiagnoseDeps): Promise<HostFacts | { failure: HostAccessFailure }> {
  try {
    return readPlanFacts(await deps.runPlan(buildReadPlan(deps.readPlan ?? {})));
  } catch (err) {
    let failure: HostAccessFailure;
    try {
      failure = deps.classifyError ? deps.classifyError(err) : classifyHostError(err, target);
    } catch {
      failure = classifyHostError(err, target);
    }
    return { failure };
  }
}

function verdictOf(findings: Finding[]): Verdict {
  for (const v of ['problem', 'warning', 'unknown'] as const) if (findings.some((f) => f.verdict === v)) return v;
  return 'ok';
}

function headlineOf(target: CheckTarget, input: CheckInput, findings: Finding[]): string {
  if ('failure' in input.facts) return accessHeadline(target, input.facts.failure, input.probes);
  const first = (v: Verdict): Finding | undefined => findings.find((f) => f.verdict === v);
  const problem = first('problem');
  if (problem) return problem.summary;
  const warning = first('warning');
  if (warning) return `${target.id} has no blocking problem; warning: ${warning.summary}`;
  const unknown = first('unknown');
  if (unknown) return `No problem found on ${target.id}, but not everything could be checked: ${unknown.summary}`;
  return `${target.id} looks healthy: RDP answers with TLS and a valid certificate.`;
}

/** A diagnosis with what it was made from (the facts and the probes): the evidence export's source. */
export interface Examination {
  diagnosis: Diagnosis;
  input: CheckInput;
}

export async function examine(target: CheckTarget, deps: DiagnoseDeps): Promise<Examination> {
  const t0 = performance.now();
  let probesMs = 0;
  let planMs = 0;
  const [probes, facts] = await Promise.all([
    runProbes(target, deps).finally(() => (probesMs = performance.now() - t0)),
    readHost(target, deps).finally(() => (planMs = performance.now() - t0)),
  ]);
  const input: CheckInput = { target, facts, probes, now: deps.now?.() ?? new Date() };
  const findings = keepLiveSupports(orderFindings(evaluateChecks(input)));
  const failure = 'failure' in facts ? facts.failure : null;
  const diagnosis: Diagnosis = {
    host: target.id,
    verdict: verdictOf(findings),
    headline: headlineOf(target, input, findings),
    findings,
    timingsMs: { probes: round(probesMs), plan: round(planMs), total: round(performance.now() - t0) },
    // A connection that never opened ran nothing on the host.
    winrmCommands: failure && NOTHING_RAN.has(failure.kind) ? 0 : 1,
    checkedAt: input.now.toISOString(),
    ...(failure ? { hostAccess: failure } : {}),
  };
  const auth = deps.winrmAuth?.();
  if (auth) diagnosis.winrmAuth = auth;
  return { diagnosis, input };
}

export async function diagnose(target: CheckTarget, deps: DiagnoseDeps): Promise<Diagnosis> {
  return (await examine(target, deps)).diagnosis;
}

const NOTHING_RAN: ReadonlySet<HostAccessFailure['kind']> = new Set(['unreachable', 'config']);

/**
 * A finding supports another only when that one is shown as a cause (a problem or a warning); a
 * chain (probe -> TCP reachability -> TermService stopped) points at its end, the cause shown.
 */
function keepLiveSupports(findings: Finding[]): Finding[] {
  const causes = new Map(findings.filter((f) => f.verdict === 'problem' || f.verdict === 'warning').map((f) => [f.check, f]));
  const root = (f: Finding): Finding['supports'] => {
    let at = f.supports;
    for (let hops = 0; at && hops < CHECK_IDS.length; hops++) {
      const next = causes.get(at)?.supports;
      if (!next || !causes.has(next) || next === f.check) break;
      at = next;
    }
    return at;
  };
  return findings.map((f) => {
    const to = f.supports ? root(f) : undefined;
    if (to && causes.has(to) && to !== f.check) return to === f.supports ? f : { ...f, supports: to };
    if (!f.supports) return f;
    const { supports: _dropped, ...rest } = f;
    return rest;
  });
}
