// rdp-medic selftest: every read operation once against a real host, read-only, as a table.
import type { Command } from 'commander';
import { findHost } from '../config/load.ts';
import { connectHost } from '../host/connect.ts';
import { formatSelftestTable, runSelftest } from '../host/selftest.ts';
import { createLogger } from '../log.ts';
import { EXIT, out, readConfigOption, runCommand } from './lib/cli-io.ts';

export function register(program: Command): void {
  program
    .command('selftest')
    .description('Run every read operation against a host (read-only) and print a table: validates the runtime on real Windows')
    .requiredOption('--host <id>', 'inventory host id')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .action((flags: { host: string; config?: string }) =>
      runCommand(async () => {
        const host = findHost(readConfigOption(flags.config), flags.host);
        const conn = await connectHost(host, { logger: createLogger({ name: 'winrm' }) });
        try {
          const rows = await runSelftest(conn.runner);
          out(formatSelftestTable(rows));
          return rows.every((r) => r.ok) ? EXIT.ok : EXIT.failure;
        } finally {
          await conn.close();
        }
      }),
    );
}
