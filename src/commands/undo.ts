// rdp-medic undo HOST UNDO_ID --yes: restore the state a fix recorded, and check it was restored.
import type { Command } from 'commander';
import { FileUndoStore } from '../rdp/undo-store.ts';
import { undoFix } from '../rdp/repair.ts';
import { openDoctor } from './lib/doctor.ts';
import { EXIT, out, readConfigOption, runCommand, UsageError } from './lib/cli-io.ts';

export function register(program: Command): void {
  program
    .command('undo')
    .description('Undo a fix: restore the recorded previous state and verify it')
    .argument('<host>', 'inventory host id')
    .argument('<undo-id>', 'the undo id `rdp-medic fix` printed')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--yes', 'really undo')
    .option('--json', 'print the outcome as JSON')
    .action((name: string, undoId: string, flags: { config?: string; yes?: boolean; json?: boolean }) =>
      runCommand(async () => {
        if (!flags.yes) throw new UsageError(`undo changes ${name}: re-run with --yes to restore the state recorded under ${undoId}`);
        const doctor = await openDoctor(readConfigOption(flags.config), name);
        try {
          const outcome = await undoFix({ target: doctor.target, undoId, runPlan: doctor.conn.runPlan, readFacts: doctor.readFacts, diagnose: doctor.diagnose, undoStore: new FileUndoStore() });
          const { after, ...rest } = outcome;
          out(flags.json ? JSON.stringify({ ...rest, headlineAfter: after?.headline ?? null }, null, 2) : outcome.message);
          return outcome.restored && outcome.verified ? EXIT.ok : EXIT.failure;
        } finally {
          await doctor.close();
        }
      }),
    );
}
