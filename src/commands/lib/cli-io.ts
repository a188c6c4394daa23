// How commands talk to the terminal: results on stdout, problems on stderr with a clear exit code.
// Exit codes: 0 ok, 1 the command ran and found a failure, 2 bad input (nothing was done).
import { registerSecretValues, secretValuesIn } from '../../lib/scrub.ts';
import { ConfigError, loadConfig, UnknownHostError } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { DiscordSettingsError } from '../../adapters/discord/settings.ts';
import { SlackSettingsError } from '../../adapters/slack/settings.ts';

export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

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
    if (e instanceof UsageError || e instanceof ConfigError || e instanceof UnknownHostError || e instanceof SlackSettingsError || e instanceof DiscordSettingsError) {
      err(e.message);
      process.exitCode = EXIT.usage;
      return;
    }
    err((e as Error).message ?? String(e));
    process.exitCode = EXIT.failure;
  }
}
