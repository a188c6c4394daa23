// rdp-medic fix HOST FIX_ID --yes: build the compare-and-set plan from fresh facts, apply it, verify
// from outside, and record the undo. Without --yes the host runs the plan in check mode and says what
// would change (previous → value per op, preconditions that fail), changing nothing: exit 0 when it
// would apply cleanly, 1 when it would not (or the fix is not applicable), 2 for usage errors; a
// preview is not a usage error. Exit codes: EXIT in lib/cli-io.ts.
import type { Command } from 'commander';
import { FileUndoStore } from '../rdp/undo-store.ts';
import { applyFix, checkFix } from '../rdp/repair.ts';
import { checkPreviewText } from '../rdp/fixes/check-preview.ts';
import { openDoctor } from './lib/doctor.ts';
import { EXIT, out, readConfigOption, runCommand } from './lib/cli-io.ts';
import { openCliAudit, recordOutcome } from './lib/cli-audit.ts';

export function register(program: Command): void {
  program
    .command('fix')
    .description('Apply a fix to a host (compare-and-set), verify RDP works again, and print the undo id')
    .argument('<host>', 'inventory host id')
    .argument('<fix-id>', 'a fix id as `rdp-medic check` proposes it')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--yes', 'apply it (without --yes: show what would change and exit)')
    .option('--json', 'print the outcome as JSON')
    .option('--no-audit', 'do not record it in the audit trail (when Redis is down; said on stderr)')
    .action((name: string, fixId: string, flags: { config?: string; yes?: boolean; json?: boolean; audit: boolean }) =>
      runCommand(async () => {
        const config = readConfigOption(flags.config);
        const doctor = await openDoctor(config, name);
        try {
          if (!flags.yes) {
            const checked = await checkFix({ target: doctor.target, readFacts: doctor.readFacts, runPlan: doctor.conn.runPlan, fixId });
            if ('notApplicable' in checked) {
              out(flags.json ? JSON.stringify({ host: doctor.target.id, fix: fixId, applicable: false, reason: checked.notApplicable }) : `Not applicable: ${checked.notApplicable}`);
              return EXIT.problem;
            }
            const { plan, preview } = checked;
            out(flags.json ? JSON.stringify({ host: doctor.target.id, fix: fixId, applicable: true, check: preview, plan }, null, 2) : checkPreviewText(plan, preview));
            return preview.clean ? EXIT.ok : EXIT.problem;
          }
          // Audited like the bot's fixes: the command first (no record, no change), then what happened.
          const audit = await openCliAudit(config, flags.audit);
          try {
            const host = doctor.target.id;
            await audit.record({ kind: 'command', host, data: { text: `rdp-medic fix ${host} ${fixId} --yes`, via: 'cli', outcome: 'accepted', subcommand: 'fix' } });
            const outcome = await applyFix({ target: doctor.target, fixId, runPlan: doctor.conn.runPlan, readFacts: doctor.readFacts, diagnose: doctor.diagnose, undoStore: new FileUndoStore() });
            const { after, ...rest } = outcome;
            out(flags.json ? JSON.stringify({ ...rest, headlineAfter: after?.headline ?? null }, null, 2) : [outcome.message, outcome.undoId ? `Undo: rdp-medic undo ${host} ${outcome.undoId} --yes` : ''].filter(Boolean).join('\n'));
            const recorded = await recordOutcome(audit, host, { fixId, applied: outcome.applied, undoId: outcome.undoId, steps: outcome.steps, message: outcome.message }, outcome.verified, after);
            if (!recorded) return EXIT.failed;
            if (outcome.applied) return outcome.verified ? EXIT.ok : EXIT.problem;
            // Nothing applied: refused or put back as before (the problem stays), or left half-done or unverifiable on the host.
            return outcome.end === 'half-applied' || outcome.end === 'unreachable' ? EXIT.failed : EXIT.problem;
          } finally {
            await audit.close();
          }
        } finally {
          await doctor.close();
        }
      }),
    );
}
