// rdp-medic <command>: each command lives in src/commands/<name>.ts and registers itself here.
import { Command } from 'commander';
import { commands } from './commands/index.ts';
import { EXIT, EXIT_CODES_HELP } from './commands/lib/cli-io.ts';
import { packageVersion } from './lib/version.ts';

const program = new Command('rdp-medic')
  .description('Diagnose and repair Remote Desktop on Windows hosts')
  .version(packageVersion(), '-V, --version', 'print the version and exit')
  .addHelpText('after', `\n${EXIT_CODES_HELP}`)
  .showHelpAfterError()
  .exitOverride((err) => {
    // commander prints usage errors itself. Help and version exit 0; every other commander error is
    // a usage error (commander says 1, which this CLI keeps for "problem found").
    process.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
  });

for (const register of commands) register(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  // Commands print their own typed errors; anything reaching here is a bug, said plainly.
  process.stderr.write(`rdp-medic: ${(err as Error).message}\n`);
  process.exit(EXIT.failed);
}
