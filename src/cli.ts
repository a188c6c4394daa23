// rdp-medic <command>: one small module per command under src/commands/, wired here.
import { Command } from 'commander';

const program = new Command('rdp-medic').description('Diagnose and repair Remote Desktop on Windows hosts').showHelpAfterError();

await program.parseAsync(process.argv);
