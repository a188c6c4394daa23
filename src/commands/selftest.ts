// rdp-medic selftest: every read operation once against a real host, read-only, as a table.
// With --writes (a disposable VM only, and only with --i-understand-this-changes-the-host): every
// write operation and its undo (src/host/selftest-writes.ts).
import type { Command } from 'commander';
import { findHost } from '../config/load.ts';
import { connectHost } from '../host/connect.ts';
import { formatSelftestTable, runSelftest } from '../rdp/selftest.ts';
import { runWriteSelftest, WRITE_SELFTEST_CHANGES, writeSelftestSummary } from '../rdp/selftest-writes.ts';
import { createLogger } from '../log.ts';
import { EXIT, out, readConfigOption, runCommand, UsageError } from './lib/cli-io.ts';

export const WRITES_CONSENT_FLAG = '--i-understand-this-changes-the-host';

/** Why `selftest --writes` refuses without the consent flag: what it would change, and the flag. */
export function writesRefusal(host: string): string {
  return [
    `selftest --writes CHANGES host ${host} (for a disposable VM only). It:`,
    ...WRITE_SELFTEST_CHANGES.map((c) => `  - ${c}`),
    `Each change is put back, but a failure midway can leave it changed. To run it, pass ${WRITES_CONSENT_FLAG}.`,
  ].join('\n');
}

export function register(program: Command): void {
  program
    .command('selftest')
    .description('Run every read operation against a host (read-only) and print a table: validates the runtime on real Windows')
    .requiredOption('--host <id>', 'inventory host id')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--writes', 'run every write operation and its undo instead (a disposable VM only; changes the host)')
    .option(WRITES_CONSENT_FLAG, 'required with --writes')
    .action((flags: { host: string; config?: string; writes?: boolean; iUnderstandThisChangesTheHost?: boolean }) =>
      runCommand(async () => {
        if (flags.writes && !flags.iUnderstandThisChangesTheHost) throw new UsageError(writesRefusal(flags.host));
        const host = findHost(readConfigOption(flags.config), flags.host);
        const conn = await connectHost(host, { logger: createLogger({ name: 'winrm' }) });
        try {
          const rows = flags.writes ? await runWriteSelftest(conn.runner) : await runSelftest(conn.runner);
          out(formatSelftestTable(rows));
          if (flags.writes) out(writeSelftestSummary(rows));
          return rows.every((r) => r.ok) ? EXIT.ok : EXIT.problem;
        } finally {
          await conn.close();
        }
      }),
    );
}
