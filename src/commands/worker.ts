// rdp-medic worker --config FILE: runs diagnose and fix jobs from Redis. Start as many as you like,
// on any machines that can reach Redis and the hosts.
import type { Command } from 'commander';
import { QUEUE_NAMES } from '../state/names.ts';
import type { JobCounts } from '../ops/metrics.ts';
import { startWorkers } from '../processes/worker.ts';
import { readConfigOption, runCommand } from './lib/cli-io.ts';
import { runService } from './lib/service.ts';

export function register(program: Command): void {
  program
    .command('worker')
    .description('Run diagnoses and fixes from the Redis queues (REDIS_URL or the config file); scale by starting more')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .action((flags: { config?: string }) =>
      runCommand(async () => {
        const config = readConfigOption(flags.config);
        return runService('worker', config, async (logger, metrics) => {
          const w = await startWorkers(config, logger, { onJobDone: (queue, outcome, ms) => metrics.jobDuration.observe({ queue, outcome }, ms / 1000) });
          metrics.setJobCountsCollector(async () => {
            const counts: JobCounts = {};
            for (const [name, q] of [[QUEUE_NAMES.diagnose, w.queues.diagnose], [QUEUE_NAMES.fix, w.queues.fix]] as const) {
              counts[name] = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
            }
            return counts;
          });
          return w;
        });
      }),
    );
}
