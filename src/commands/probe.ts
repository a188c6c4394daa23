// `rdp-medic probe HOST[:PORT]`: runs the bot-side RDP probe (X.224 negotiation, TLS, certificate) once.
import type { Command } from 'commander';
import { formatProbeResult, parseTarget, probeRdp } from '../rdp/probes/index.ts';
import type { RdpProbeOptions } from '../rdp/probes/index.ts';

export interface ProbeCommandOptions {
  json?: boolean;
  timeout?: string;
  protocols?: string;
  servername?: string;
  strictTls?: boolean;
}

export type Writer = (s: string) => void;

/** Exit codes: 0 probe ok, 1 the probe found a failure, 2 bad input. */
export async function runProbeCommand(target: string, opts: ProbeCommandOptions, out: Writer, err: Writer = out): Promise<number> {
  const bad = (message: string): number => {
    err(`rdp-medic probe: ${message}\n`);
    return 2;
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
  out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : formatProbeResult(result));
  return result.ok ? 0 : 1;
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
