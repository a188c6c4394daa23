// `rdp-medic probe HOST[:PORT]`: runs the bot-side RDP probe (X.224 negotiation, TLS, certificate) once.
import type { Command } from 'commander';
import { formatProbeResult, parseTarget, probeRdp } from '../rdp/probes/index.ts';
import type { RdpProbeOptions, RdpProbeResult } from '../rdp/probes/index.ts';
import { EXIT } from './lib/cli-io.ts';

export interface ProbeCommandOptions {
  json?: boolean;
  timeout?: string;
  protocols?: string;
  servername?: string;
  strictTls?: boolean;
}

export type Writer = (s: string) => void;

/**
 * What a client would reject in a completed handshake: an expired or not-yet-valid certificate, or a
 * CA-issued one that does not name the host. A self-signed certificate is Windows' default and only
 * prompts the user once, so it is not a problem here (as in the net-rdp-probe check).
 */
export function certificateProblems(r: RdpProbeResult): string[] {
  const c = r.certificate;
  if (!r.ok || !c) return [];
  const problems: string[] = [];
  if (c.expired) problems.push(`the certificate expired ${-c.daysUntilExpiry} days ago (${c.validTo.slice(0, 10)}): clients reject it`);
  if (c.notYetValid) problems.push(`the certificate is not valid before ${c.validFrom.slice(0, 10)}: clients reject it (check the host's clock)`);
  if (c.nameMatches === false && !c.selfSigned) problems.push(`the certificate does not name ${r.target.host} (${c.nameMismatch ?? 'name mismatch'}): clients warn or refuse`);
  return problems;
}

/** Host unreachable (no TCP answer at all) is 3; a refused port, a failed handshake or a bad certificate is a problem found (1). */
function exitCodeOf(r: RdpProbeResult, problems: string[]): number {
  if (!r.ok) return r.stage === 'tcp' && r.error?.code !== 'ECONNREFUSED' ? EXIT.failed : EXIT.problem;
  return problems.length ? EXIT.problem : EXIT.ok;
}

/** Exit codes as EXIT: 0 handshake and certificate ok, 1 a problem found, 2 bad input, 3 host unreachable. */
export async function runProbeCommand(target: string, opts: ProbeCommandOptions, out: Writer, err: Writer = out): Promise<number> {
  const bad = (message: string): number => {
    err(`rdp-medic probe: ${message}\n`);
    return EXIT.usage;
  };
  const t = parseTarget(target);
  if ('error' in t) return bad(t.error);
  const probe: RdpProbeOptions = { host: t.host, port: t.port };
  if (opts.timeout !== undefined) {
    if (!/^\d+$/.test(opts.timeout) || Number(opts.timeout) < 1 || Number(opts.timeout) > 600_000) {
      return bad(`--timeout "${opts.timeout}" is not a whole number of milliseconds in 1-600000`);
    }
    probe.timeoutMs = Number(opts.timeout);
  }
  if (opts.protocols !== undefined) {
    if (!/^(0x)?[0-9a-f]{1,8}$/i.test(opts.protocols)) return bad(`--protocols "${opts.protocols}" is not a hex mask such as 0xb`);
    probe.requestedProtocols = parseInt(opts.protocols.replace(/^0x/i, ''), 16);
  }
  if (opts.servername !== undefined) {
    if (opts.servername.trim() === '') return bad('--servername is empty');
    probe.servername = opts.servername;
  }
  if (opts.strictTls) probe.strictTls = true;
  const result = await probeRdp(probe);
  const problems = certificateProblems(result);
  if (opts.json) out(`${JSON.stringify(result, null, 2)}\n`);
  else {
    // The headline says what a client would see: a completed handshake with a rejected certificate is a problem.
    const text = formatProbeResult(result);
    out(problems.length ? `${text.replace(/: OK \(stage done\)/, ': PROBLEM (handshake completes; clients reject the certificate)')}${problems.map((p) => `  problem      ${p}\n`).join('')}` : text);
  }
  return exitCodeOf(result, problems);
}

/** Where the command's output and exit code go; tests inject these, the CLI uses the process. */
export interface ProbeCommandIo {
  out: Writer;
  err: Writer;
  exit: (code: number) => void;
}

const processIo: ProbeCommandIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  exit: (code) => {
    process.exitCode = code;
  },
};

export function register(program: Command, io: ProbeCommandIo = processIo): void {
  program
    .command('probe')
    .description('Probe an RDP listener: X.224 negotiation, TLS handshake and certificate (no credentials sent)')
    .argument('<target>', 'HOST[:PORT] (default port 3389; IPv6 as [::1]:3389)')
    .option('--json', 'print the result as JSON')
    .option('--timeout <ms>', 'budget for the whole probe in milliseconds (default 5000)')
    .option('--protocols <hex>', 'requestedProtocols mask to offer (default 0xb: TLS|CredSSP|CredSSP-EX)')
    .option('--servername <name>', 'name to check the certificate against (sent as SNI if a DNS name)')
    .option('--strict-tls', "use Node's default TLS policy (TLS 1.2+): legacy servers then fail at the TLS stage")
    .action(async (target: string, opts: ProbeCommandOptions) => {
      io.exit(await runProbeCommand(target, opts, io.out, io.err));
    });
}
