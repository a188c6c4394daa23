// `rdp-medic config check --config FILE [--connect]`: is this configuration ready for production?
// Validates it as bot and workers will (schema, chat settings, secrets from env or files) and lists
// EVERY mistake with its path; with --connect also reaches Redis, each host over WinRM and the chat
// platforms. Exit codes: 0 ready, 2 configuration mistakes, 3 something could not be reached or was
// refused. Secret values are never printed: only where they come from.
import type { Command } from 'commander';
import { registerSecretValues, scrubText } from '../lib/scrub.ts';
import { reviewConfig, summarize } from './lib/config-review.ts';
import { checkDiscordToken, checkHostConnection, checkRedisConnection, checkSlackTokens, inPool, type ConnectResult } from './lib/connect-checks.ts';
import { EXIT, runCommand, UsageError } from './lib/cli-io.ts';

export interface ConfigCheckOptions {
  config?: string;
  connect?: boolean;
  timeout?: string;
}

export interface ConfigCheckIo {
  out(line: string): void;
  err(line: string): void;
}

/** Hosts checked at once with --connect. */
const HOST_CONCURRENCY = 8;

export async function runConfigCheck(opts: ConfigCheckOptions, io: ConfigCheckIo, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const file = opts.config ?? env['RDP_MEDIC_CONFIG'];
  if (!file) throw new UsageError('no configuration: pass --config FILE (start from rdp-medic.example.yaml) or set RDP_MEDIC_CONFIG');
  const timeoutMs = Number(opts.timeout ?? '10000');
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 600_000) throw new UsageError(`--timeout takes milliseconds (100-600000), not "${opts.timeout}"`);

  const review = await reviewConfig(file, env);
  // Whatever is printed from here on is masked: every resolved secret, and what looks like a token or a URL password.
  registerSecretValues(review.secretValues);
  const out = (line: string): void => io.out(scrubText(line));
  const err = (line: string): void => io.err(scrubText(line));

  for (const w of review.warnings) out(`warning: ${w}`);
  if (review.mistakes.length || !review.config) {
    err(`${file}: ${review.mistakes.length} mistake${review.mistakes.length === 1 ? '' : 's'}; nothing was connected to`);
    for (const m of review.mistakes) err(`  - ${m}`);
    return EXIT.usage;
  }
  out(`${file}: the configuration is valid and every secret resolves`);
  for (const line of summarize(review, env)) out(`  ${line}`);
  if (!opts.connect) return EXIT.ok;

  const config = review.config;
  out(`connecting (each step gives up after ${timeoutMs} ms):`);
  const results: ConnectResult[] = [];
  const report = (r: ConnectResult): void => {
    results.push(r);
    out(`  ${r.ok ? 'ok    ' : 'FAILED'} ${r.what}: ${r.detail}`);
    for (const w of r.warnings) out(`         warning: ${w}`);
  };
  const chat = async (): Promise<ConnectResult[]> => [
    ...(review.slack ? await checkSlackTokens(review.slack, timeoutMs) : []),
    ...(review.discord ? [await checkDiscordToken(review.discord, timeoutMs)] : []),
  ];
  // All at once: a slow host must not delay the answer about Redis or the tokens.
  const [redis, hosts, tokens] = await Promise.all([
    checkRedisConnection(config, timeoutMs),
    inPool(Object.keys(config.hosts), HOST_CONCURRENCY, (id) => checkHostConnection(config, id, timeoutMs)),
    chat(),
  ]);
  [redis, ...hosts, ...tokens].forEach(report);
  const failed = results.filter((r) => !r.ok);
  if (failed.length) {
    err(`${failed.length} of ${results.length} connection check${results.length === 1 ? '' : 's'} failed: ${failed.map((r) => r.what).join(', ')}`);
    return EXIT.failed;
  }
  out(`all ${results.length} connection checks passed`);
  return EXIT.ok;
}

export function register(program: Command): void {
  const config = program.command('config').description('Configuration helpers');
  config
    .command('check')
    .description('Validate a configuration and resolve its secrets (exit 0 ok, 2 mistakes); --connect also reaches Redis, every host and the chat platforms (3 when one fails)')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--connect', 'also connect: Redis (PING and its start-up checks), each host over WinRM (runs `hostname`), the Slack/Discord tokens')
    .option('--timeout <ms>', 'deadline of each connection step', '10000')
    .action((opts: ConfigCheckOptions) =>
      runCommand(() =>
        runConfigCheck(opts, {
          out: (line) => process.stdout.write(`${line}\n`),
          err: (line) => process.stderr.write(`${line}\n`),
        }),
      ),
    );
}
