// rdp-medic fix HOST FIX_ID --yes: build the compare-and-set plan from fresh facts, apply it, verify
// from outside, and record the undo. Without --yes it only shows the plan (check mode).
import type { Command } from 'commander';
import { FileUndoStore } from '../rdp/undo-store.ts';
import { applyFix, planFix } from '../rdp/repair.ts';
import { openDoctor } from './lib/doctor.ts';
import { EXIT, out, readConfigOption, runCommand } from './lib/cli-io.ts';

export function register(program: Command): void {
  program
    .command('fix')
    .description('Apply a fix to a host (compare-and-set), verify RDP works again, and print the undo id')
    .argument('<host>', 'inventory host id')
    .argument('<fix-id>', 'a fix id as `rdp-medic check` proposes it')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--yes', 'apply it (without --yes: show what would change and exit)')
    .option('--json', 'print the outcome as JSON')
    .action((name: string, fixId: string, flags: { config?: string; yes?: boolean; json?: boolean }) =>
      runCommand(async () => {
        const doctor = await openDoctor(readConfigOption(flags.config), name);
        try {
          if (!flags.yes) {
            const plan = await planFix({ target: doctor.target, readFacts: doctor.readFacts, fixId });
            if ('notApplicable' in plan) {
              out(flags.json ? JSON.stringify({ host: doctor.target.id, fix: fixId, applicable: false, reason: plan.notApplicable }) : `Not applicable: ${plan.notApplicable}`);
              return EXIT.failure;
            }
            out(flags.json ? JSON.stringify(plan, null, 2) : [`${plan.title} on ${plan.host} [${plan.risk}]`, `  ${plan.impact.summary}`, ...plan.apply.ops.map((o) => `  - ${JSON.stringify(o)}`), '', 'Nothing was changed. Re-run with --yes to apply.'].join('\n'));
            return EXIT.usage;
          }
          const outcome = await applyFix({
            target: doctor.target,
            fixId,
            runPlan: doctor.conn.runPlan,
            readFacts: doctor.readFacts,
            diagnose: doctor.diagnose,
            undoStore: new FileUndoStore(),
          });
          const { after, ...rest } = outcome;
          out(flags.json ? JSON.stringify({ ...rest, headlineAfter: after?.headline ?? null }, null, 2) : [outcome.message, outcome.undoId ? `Undo: rdp-medic undo ${doctor.target.id} ${outcome.undoId} --yes` : ''].filter(Boolean).join('\n'));
          return outcome.applied && outcome.verified ? EXIT.ok : EXIT.failure;
        } finally {
          await doctor.close();
        }
      }),
    );
}
