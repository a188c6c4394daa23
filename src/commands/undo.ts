// rdp-medic undo HOST UNDO_ID --yes: restore the state a fix recorded, and check it was restored.
import type { Command } from 'commander';
import { FileUndoStore } from '../rdp/undo-store.ts';
import { undoFix } from '../rdp/repair.ts';
import { openDoctor } from './lib/doctor.ts';
import { UndoId } from '../state/ids.ts';
import { EXIT, out, readConfigOption, runCommand, UsageError } from './lib/cli-io.ts';
import { openCliAudit, recordOutcome } from './lib/cli-audit.ts';

export function register(program: Command): void {
  program
    .command('undo')
    .description('Undo a fix: restore the recorded previous state and verify it')
    .argument('<host>', 'inventory host id')
    .argument('<undo-id>', 'the undo id `rdp-medic fix` printed')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--yes', 'really undo')
    .option('--json', 'print the outcome as JSON')
    .option('--no-audit', 'do not record it in the audit trail (when Redis is down; said on stderr)')
    .action((name: string, undoId: string, flags: { config?: string; yes?: boolean; json?: boolean; audit: boolean }) =>
      runCommand(async () => {
        // A bad or unknown id is refused before anything connects or is audited (exit 2).
        const id = UndoId.safeParse(undoId.toLowerCase());
        if (!id.success) throw new UsageError(`"${undoId}" is not an undo id: ${id.error.issues[0]?.message ?? 'u- and 8 characters'}`);
        const store = new FileUndoStore();
        if (!(await store.load(id.data))) {
          const recent = (await store.list(name)).slice(0, 5).map((r) => r.undoId);
          throw new UsageError(`no undo record "${id.data}" in ${store.dir}; recent undo ids for ${name}: ${recent.length ? recent.join(', ') : 'none'}`);
        }
        if (!flags.yes) throw new UsageError(`undo changes ${name}: re-run with --yes to restore the state recorded under ${id.data}`);
        const config = readConfigOption(flags.config);
        const doctor = await openDoctor(config, name);
        try {
          // Audited like the bot's undos: the command first (no record, no change), then what happened.
          const audit = await openCliAudit(config, flags.audit);
          try {
            const host = doctor.target.id;
            await audit.record({ kind: 'command', host, data: { text: `rdp-medic undo ${host} ${id.data} --yes`, via: 'cli', outcome: 'accepted', subcommand: 'undo' } });
            const outcome = await undoFix({ target: doctor.target, undoId: id.data, runPlan: doctor.conn.runPlan, readFacts: doctor.readFacts, diagnose: doctor.diagnose, undoStore: store });
            const { after, ...rest } = outcome;
            out(flags.json ? JSON.stringify({ ...rest, headlineAfter: after?.headline ?? null }, null, 2) : outcome.message);
            const recorded = await recordOutcome(audit, host, { undoId, restored: outcome.restored, verified: outcome.verified, message: outcome.message }, outcome.verified, after ?? null);
            if (!recorded) return EXIT.failed;
            // Restored but RDP not verified working is a problem found; not restored, the undo failed.
            return outcome.restored ? (outcome.verified ? EXIT.ok : EXIT.problem) : EXIT.failed;
          } finally {
            await audit.close();
          }
        } finally {
          await doctor.close();
        }
      }),
    );
}
