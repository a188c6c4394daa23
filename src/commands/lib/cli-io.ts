// How commands talk to the terminal: results on stdout, problems on stderr with a clear exit code
// (EXIT below, the one convention every command follows and --help states).
import { registerSecretValues, secretValuesIn } from '../../lib/scrub.ts';
import { ConfigError, loadConfig, UnknownHostError } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { DiscordSettingsError } from '../../adapters/discord/settings.ts';
import { SlackSettingsError } from '../../adapters/slack/settings.ts';
import { RedisNotFitError } from '../../state/redis-checks.ts';

/**
 * 0 ok; 1 the command ran and found a problem (or the change did not cure it); 2 usage or
 * configuration error, nothing was done; 3 the host could not be reached, or the command failed.
 */
export const EXIT = { ok: 0, problem: 1, usage: 2, failed: 3 } as const;

export const EXIT_CODES_HELP = [
  'Exit codes (check, probe, fix, undo, facts and the other commands):',
  '  0  ok: nothing wrong found, or the change was applied and verified',
  '  1  problem found (fix without --yes: the plan would not apply cleanly or is not applicable)',
  '  2  usage or configuration error: nothing was done',
  '  3  the host could not be reached, or the command failed',
].join('\n');

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
}

export function err(text: string): void {
  process.stderr.write(`rdp-medic: ${text}${text.endsWith('\n') ? '' : '\n'}`);
}

/** The --config file: the option, else RDP_MEDIC_CONFIG, else a clear usage error. */
export function readConfigOption(path: string | undefined): Config {
  const file = path ?? process.env.RDP_MEDIC_CONFIG;
  if (!file) throw new UsageError('no configuration: pass --config FILE (for example the file `rdp-medic lab --config-out FILE` writes) or set RDP_MEDIC_CONFIG');
  const config = loadConfig(file);
  // Logs and the audit mask the configuration's passwords and tokens wherever they appear.
  registerSecretValues(secretValuesIn(config));
  return config;
}

/** Runs a command body and turns expected errors into messages and exit codes (never a stack trace). */
export async function runCommand(body: () => Promise<number | void>): Promise<void> {
  try {
    process.exitCode = (await body()) ?? EXIT.ok;
  } catch (e) {
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof UnknownHostError || e instanceof SlackSettingsError || e instanceof DiscordSettingsError || e instanceof RedisNotFitError) {
      err(e.message);
      process.exitCode = EXIT.usage;
      return;
    }
    // WinRM transport, timeout, authentication and runtime errors, and anything unexpected: the
    // command could not do its work on the host.
    err((e as Error).message ?? String(e));
    process.exitCode = EXIT.failed;
  }
}
