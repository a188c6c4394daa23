// rdp-medic lab: simulated Windows hosts on 127.0.0.1 until SIGINT or SIGTERM.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { labHostName, startLab, type LabHostSpec } from '../lab/lab.ts';
import { defaultLabConfigPath, writeLabConfig } from '../lab/lab-config.ts';
import { SCENARIOS } from '../lab/scenarios/index.ts';
import { findPwsh, PWSH_INSTALL_HINT } from '../lab/runtime/pwsh.ts';
import { err, EXIT, out, runCommand, UsageError } from './lib/cli-io.ts';

interface LabFlags {
  scenario: string[];
  host: string[];
  hosts?: string;
  latency?: string;
  jitter?: string;
  auth: string;
  https?: boolean;
  configOut?: string;
  listScenarios?: boolean;
  runtime: string;
  powershellStartup?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function intFlag(name: string, value: string | undefined, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`--${name} takes a whole number from 0 to ${max}, not "${value}"`);
  return n;
}

/** --host NAME=SCENARIO[+SCENARIO], --scenario NAME (one host each), --hosts N (a fleet cycling the scenarios). */
export function hostSpecs(flags: Pick<LabFlags, 'scenario' | 'host' | 'hosts'>): LabHostSpec[] {
  const specs: LabHostSpec[] = flags.host.map((h) => {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)=(.+)$/.exec(h);
    if (!m) throw new UsageError(`--host takes NAME=SCENARIO[+SCENARIO], e.g. work-pc=cert-expired, not "${h}"`);
    return { name: m[1] as string, scenarios: (m[2] as string).split('+') };
  });
  const count = intFlag('hosts', flags.hosts, 5000);
  if (count !== undefined) {
    const cycle = flags.scenario.length ? flags.scenario : ['healthy'];
    const width = String(count).length;
    for (let i = 0; i < count; i++) specs.push({ name: `lab-${String(i + 1).padStart(width, '0')}`, scenarios: [cycle[i % cycle.length] as string] });
  } else {
    for (const s of flags.scenario) specs.push({ name: labHostName(s.replace(/^.*[/\\]/, '').replace(/\.(ya?ml|json)$/i, '')), scenarios: [s] });
  }
  if (specs.length === 0) specs.push({ name: 'healthy', scenarios: ['healthy'] });
  return specs;
}

export function register(program: Command): void {
  program
    .command('lab')
    .description('Start simulated Windows hosts (WinRM + RDP) on 127.0.0.1 until interrupted; prints one JSON line per host')
    .option('--scenario <name|file>', 'a scenario (repeatable); one host each, named after it', collect, [])
    .option('--host <name=scenario>', 'a named host with scenarios joined by + (repeatable)', collect, [])
    .option('--hosts <n>', 'a fleet of N hosts cycling through the --scenario list')
    .option('--latency <ms>', 'latency added to every WinRM response and RDP answer')
    .option('--jitter <ms>', 'random extra latency up to this much')
    .option('--auth <method>', 'what the printed inventory uses: basic or ntlm (hosts accept both), or kerberos (starts a throwaway KDC, implies --https; hosts accept all three)', 'ntlm')
    .option('--https', 'serve WinRM over HTTPS with a lab CA')
    .option('--config-out <file>', 'where to write the configuration file for --config of the other commands (default: $XDG_RUNTIME_DIR/rdp-medic/lab-PID.yaml or the temp dir, removed when the lab stops; the path is printed on stderr)')
    .option('--runtime <kind>', 'who executes plans: model (the lab\'s TypeScript operations) or pwsh (the real runtime engine under PowerShell 7)', 'model')
    .option('--powershell-startup <ms>', 'modelled powershell.exe start-up and compile cost per command')
    .option('--list-scenarios', 'list the built-in scenarios and exit')
    .action((flags: LabFlags) =>
      runCommand(async () => {
        if (flags.listScenarios) {
          for (const s of SCENARIOS.values()) out(`${s.name.padEnd(32)} ${s.description}`);
          return EXIT.ok;
        }
        const auth = flags.auth;
        if (auth !== 'basic' && auth !== 'ntlm' && auth !== 'kerberos') throw new UsageError(`--auth is basic, ntlm or kerberos, not "${auth}"`);
        if (flags.runtime !== 'model' && flags.runtime !== 'pwsh') throw new UsageError(`--runtime is model or pwsh, not "${flags.runtime}"`);
        if (flags.runtime === 'pwsh' && !findPwsh()) throw new UsageError(PWSH_INSTALL_HINT);
        const lab = await startLab({
          hosts: hostSpecs(flags),
          auth,
          https: (flags.https ?? false) || auth === 'kerberos',
          latencyMs: intFlag('latency', flags.latency, 60_000) ?? 0,
          jitterMs: intFlag('jitter', flags.jitter, 60_000) ?? 0,
          runtime: flags.runtime,
          powershellStartupMs: intFlag('powershell-startup', flags.powershellStartup, 60_000) ?? 0,
        });
        // The file holds the lab password: by default outside the working directory (often a checkout), gone with the lab.
        const configFile = flags.configOut ?? defaultLabConfigPath();
        let caFile: string | undefined;
        if (lab.caPem) {
          caFile = flags.configOut ? resolve(dirname(resolve(flags.configOut)), 'lab-ca.pem') : configFile.replace(/\.yaml$/, '-ca.pem');
          writeFileSync(caFile, lab.caPem);
        }
        writeLabConfig(lab, configFile, caFile ? { caFile } : {});
        err(`configuration for --config: ${configFile}`);
        const krb5Conf = lab.hosts[0]?.kerberos?.krb5Conf;
        if (krb5Conf) err(`Kerberos: realm LAB.TEST; clients need KRB5_CONFIG=${krb5Conf}`);
        // Listening for the signals before the host lines are out: whoever reads them may stop the lab at once.
        const stopped = new Promise<void>((done) => {
          const stop = (): void => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            done();
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
        for (const h of lab.hosts) out(JSON.stringify({ name: h.name, scenario: h.scenario, winrm: h.winrm, rdp: h.rdp, ...(h.kerberos ? { kerberos: h.kerberos } : {}) }));
        await stopped;
        await lab.close();
        if (!flags.configOut) rmSync(configFile, { force: true });
        if (!flags.configOut && caFile) rmSync(caFile, { force: true });
        return EXIT.ok;
      }),
    );
}
