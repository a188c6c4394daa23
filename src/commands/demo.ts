// rdp-medic demo (npm run demo): the product on its embedded default. Starts a lab of simulated
// Windows hosts, some broken, reads everything rdp-medic diagnoses from work-pc (whose RDP certificate
// expired) through the real WinRM client and runtime, diagnoses it, and stops everything it started.
import type { Command } from 'commander';
import { findHost } from '../config/load.ts';
import { Config } from '../config/schema.ts';
import { connectHost } from '../host/connect.ts';
import { formatFacts } from '../host/format-facts.ts';
import { buildReadPlan, readPlanFacts } from '../host/read-plan.ts';
import { diagnose } from '../rdp/diagnose.ts';
import { formatDiagnosis } from '../rdp/format.ts';
import { checkTarget } from '../rdp/target.ts';
import { startLab } from '../lab/lab.ts';
import { labConfig } from '../lab/lab-config.ts';
import { EXIT, out, runCommand } from './lib/cli-io.ts';

export const DEMO_HOSTS = [
  { name: 'work-pc', scenarios: ['cert-expired'] },
  { name: 'db-01', scenarios: ['termservice-stopped'] },
  { name: 'web-01', scenarios: ['firewall-blocked'] },
  { name: 'build-01', scenarios: ['healthy'] },
];

export function register(program: Command): void {
  program
    .command('demo')
    .description('Start a lab of simulated Windows hosts and walk through diagnosing work-pc; stops everything at the end')
    .action(() =>
      runCommand(async () => {
        out('rdp-medic demo: starting a lab of simulated Windows hosts on 127.0.0.1 ...');
        const lab = await startLab({ hosts: DEMO_HOSTS });
        try {
          for (const h of lab.hosts) out(`  ${h.name.padEnd(10)} ${h.scenario.padEnd(22)} WinRM ${h.winrm.url} (NTLM)   RDP ${h.rdp.host}:${h.rdp.port}`);
          const config = Config.parse(labConfig(lab));
          out('\nReading work-pc over WinRM: one command runs the whole read plan through the PowerShell runtime.\n');
          const workPc = findHost(config, 'work-pc');
          const conn = await connectHost(workPc);
          try {
            out(formatFacts(readPlanFacts(await conn.runPlan(buildReadPlan()))));
            out('\nThe diagnosis: the same read plan plus DNS, TCP and an RDP protocol probe, in parallel, the cause first.\n');
            out(formatDiagnosis(await diagnose(checkTarget(workPc), { runPlan: conn.runPlan, dnsServers: config.dns.servers })));
          } finally {
            await conn.close();
          }
          out('\nTry it yourself: `npx rdp-medic lab --host work-pc=cert-expired --config-out lab.yaml`, then in another');
          out('terminal `npx rdp-medic check work-pc --config lab.yaml`, then `npx rdp-medic fix work-pc regenerate-rdp-certificate');
          out('--config lab.yaml --yes` and the `undo` it prints.');
          return EXIT.ok;
        } finally {
          await lab.close();
          out('\nLab stopped.');
        }
      }),
    );
}
