// rdp-medic facts HOST: the full read plan (one WinRM command) and every fact it returned.
import type { Command } from 'commander';
import { findHost } from '../config/load.ts';
import { connectHost } from '../host/connect.ts';
import { formatFacts } from '../rdp/format-facts.ts';
import { buildReadPlan, readPlanFacts } from '../rdp/read-plan.ts';
import { createLogger } from '../log.ts';
import { EXIT, out, readConfigOption, runCommand } from './lib/cli-io.ts';

export function register(program: Command): void {
  program
    .command('facts')
    .description('Run the full read plan on an inventory host and print the facts')
    .argument('<host>', 'inventory host id')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--json', 'print the facts as JSON')
    .action((name: string, flags: { config?: string; json?: boolean }) =>
      runCommand(async () => {
        const host = findHost(readConfigOption(flags.config), name);
        const conn = await connectHost(host, { logger: createLogger({ name: 'winrm' }) });
        try {
          const facts = readPlanFacts(await conn.runPlan(buildReadPlan()));
          out(flags.json ? JSON.stringify(facts, null, 2) : formatFacts(facts));
          return EXIT.ok;
        } finally {
          await conn.close();
        }
      }),
    );
}
