// rdp-medic demo (npm run demo): Redis, the lab, a worker and the bot with the console chat.
import type { Command } from 'commander';
import { runDemo } from '../demo/run-demo.ts';
import { EXIT, runCommand } from './lib/cli-io.ts';

export { DEMO_HOSTS } from '../demo/run-demo.ts';

export function register(program: Command): void {
  program
    .command('demo')
    .description('Run rdp-medic on its embedded default: local Redis, simulated Windows hosts, a worker and the console chat')
    .option('--auto', 'play the walkthrough by itself instead of reading what you type')
    .action((flags: { auto?: boolean }) =>
      runCommand(async () => {
        await runDemo({ auto: flags.auto ?? false });
        return EXIT.ok;
      }),
    );
}
