// `rdp-medic discord register [--guild ID] [--config FILE]`: registers the /rdp command with
// Discord (guild commands, instant, with --guild or DISCORD_GUILD_ID; else global commands, which
// take up to an hour to appear). Settings come from the config's `discord` section and/or the
// DISCORD_* environment variables; the inventory is not needed (autocomplete runs in the bot).
// The REST call itself is the adapter's (adapters/discord/register.ts): only it speaks Discord.
import type { Command } from 'commander';
import { registerCommands } from '../adapters/discord/register.ts';
import { DiscordSettingsError, loadDiscordSettings, type DiscordSettings } from '../adapters/discord/settings.ts';
import { out, readConfigOption, runCommand, UsageError } from './lib/cli-io.ts';

export interface RegisterOptions {
  guild?: string;
  config?: string;
}

function settingsFrom(opts: RegisterOptions): DiscordSettings {
  // A config file is optional here: the environment alone can name the application and token.
  const record = opts.config !== undefined || process.env.RDP_MEDIC_CONFIG ? readConfigOption(opts.config).discord : undefined;
  try {
    return loadDiscordSettings(opts.guild !== undefined ? { ...(record ?? {}), guildId: opts.guild } : record, opts.guild !== undefined ? { ...process.env, DISCORD_GUILD_ID: opts.guild } : process.env);
  } catch (e) {
    if (e instanceof DiscordSettingsError) throw new UsageError(e.message);
    throw e;
  }
}

export function register(program: Command): void {
  const discord = program.command('discord').description('Discord setup');
  discord
    .command('register')
    .description('Register the /rdp slash command (guild commands with --guild or DISCORD_GUILD_ID, else global)')
    .option('--guild <id>', 'register in this guild only (appears at once; global commands can take an hour)')
    .option('--config <file>', 'config file with a `discord` section (default: RDP_MEDIC_CONFIG; the DISCORD_* environment alone also works)')
    .action((opts: RegisterOptions) =>
      runCommand(async () => {
        const r = await registerCommands(settingsFrom(opts));
        for (const c of r.commands) {
          out(`registered /${c.name} (${c.options.join(', ')}) as ${r.scope === 'guild' ? `a guild command in ${r.guildId}` : 'a global command'}; id ${c.id}`);
        }
        if (r.scope === 'global') out('global commands can take up to an hour to appear in every guild');
      }),
    );
}
