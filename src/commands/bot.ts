// rdp-medic bot --config FILE: the chat side. Receives commands and clicks from Slack, Discord or
// the console, queues the work, and delivers the answers. Workers do the host work.
import type { Command } from 'commander';
import { ConsoleAdapter } from '../adapters/console/adapter.ts';
import type { ChatAdapter } from '../chat/adapter.ts';
import { startBot } from '../processes/bot.ts';
import { QUEUE_NAMES } from '../state/names.ts';
import type { HealthCheck } from '../ops/http.ts';
import type { Metrics } from '../ops/metrics.ts';
import type { BotHooks } from '../processes/bot.ts';
import type { DeadLetters } from '../state/dead-letters.ts';
import { chatAdapters, requirePlatform } from './lib/chat-adapters.ts';
import { readConfigOption, runCommand } from './lib/cli-io.ts';
import { runService } from './lib/service.ts';

export function botHooks(metrics: Metrics): BotHooks {
  return {
    counters: {
      command: (platform, subcommand, outcome) => metrics.commands.inc({ platform, subcommand, outcome }),
      approval: (transition) => metrics.approvals.inc({ transition }),
    },
    onDelivered: (platform, outcome) => metrics.deliveries.inc({ platform, outcome }),
  };
}

/**
 * The dead-letter list as a /healthz check. It stays ok when the list is not empty: a failed probe
 * restarts the bot, and a restart delivers nothing; the detail says what is waiting and what to run.
 */
export async function deliveryHealth(letters: DeadLetters): Promise<Record<string, HealthCheck>> {
  const n = await letters.count();
  const detail = n === 0 ? 'no undelivered messages' : `${n} undelivered message${n === 1 ? '' : 's'} in the dead-letter list: rdp-medic deliveries list`;
  return { deliveries: { ok: true, detail } };
}

export function register(program: Command): void {
  program
    .command('bot')
    .description('Run the chat bot (Slack, Discord, or --console) against the Redis queues; workers do the host work')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--console', 'also serve the terminal chat on stdin/stdout')
    .action((flags: { config?: string; console?: boolean }) =>
      runCommand(async () => {
        const config = readConfigOption(flags.config);
        return runService('bot', config, async (logger, metrics) => {
          const adapters: ChatAdapter[] = chatAdapters(config, logger);
          if (flags.console) adapters.push(new ConsoleAdapter({ onEnd: () => process.kill(process.pid, 'SIGTERM') }));
          requirePlatform(adapters);
          const bot = await startBot(config, adapters, logger, botHooks(metrics));
          metrics.setJobCountsCollector(async () => ({ [QUEUE_NAMES.deliver]: await bot.queues.deliver.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed') }));
          metrics.setDeadLettersCollector(() => bot.deadLetters.count());
          return { ...bot, healthChecks: () => deliveryHealth(bot.deadLetters) };
        });
      }),
    );
}
