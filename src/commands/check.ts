// rdp-medic check HOST: probes and one WinRM command in parallel, findings most likely cause first.
import type { Command } from 'commander';
import { diagnosisJson, formatDiagnosis } from '../rdp/format.ts';
import { openDoctor } from './lib/doctor.ts';
import { EXIT, out, readConfigOption, runCommand } from './lib/cli-io.ts';

export function register(program: Command): void {
  program
    .command('check')
    .description('Diagnose RDP on an inventory host: the most likely cause first, with the fix that cures it')
    .argument('<host>', 'inventory host id')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--json', 'print the diagnosis as JSON')
    .option('--all', 'also list the checks that passed')
    .action((name: string, flags: { config?: string; json?: boolean; all?: boolean }) =>
      runCommand(async () => {
        const doctor = await openDoctor(readConfigOption(flags.config), name);
        try {
          const d = await doctor.diagnose();
          out(flags.json ? JSON.stringify(diagnosisJson(d), null, 2) : formatDiagnosis(d, { all: flags.all ?? false }));
          // A host whose facts could not be read is "could not reach": the findings are incomplete.
          const access = doctor.accessFailure();
          if (access) return access.kind === 'config' ? EXIT.usage : EXIT.failed;
          return d.verdict === 'problem' ? EXIT.problem : EXIT.ok;
        } finally {
          await doctor.close();
        }
      }),
    );
}
