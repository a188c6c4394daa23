// rdp-medic <command>: each command lives in src/commands/<name>.ts and registers itself here.
import { Command } from 'commander';
import { commands } from './commands/index.ts';

const program = new Command('rdp-medic')
  .description('Diagnose and repair Remote Desktop on Windows hosts')
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander prints usage errors itself; keep its exit code (help and version exit 0).
    process.exit(err.exitCode);
  });

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commands print their own typed errors; anything reaching here is a bug, said plainly.
  process.stderr.write(`rdp-medic: ${(err as Error).message}\n`);
  process.exit(1);
}
