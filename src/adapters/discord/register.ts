// Registering /rdp with Discord's REST API (for `rdp-medic discord register`): PUT replaces this
// application's commands in the guild, or globally.
import { REST, Routes } from 'discord.js';
import { rdpCommandDefinition } from './commands.ts';
import { toDeliveryError } from './errors.ts';
import type { DiscordSettings } from './settings.ts';

export interface Registered {
  scope: 'guild' | 'global';
  guildId: string | null;
  commands: { id: string; name: string; options: string[] }[];
}

/** PUTs /rdp (replacing this application's commands in that scope) and returns what Discord registered. */
export async function registerCommands(settings: DiscordSettings): Promise<Registered> {
  const rest = new REST({ ...(settings.apiUrl ? { api: settings.apiUrl } : {}), timeout: settings.requestTimeoutMs, retries: 1 }).setToken(settings.token);
  const route = settings.guildId ? Routes.applicationGuildCommands(settings.applicationId, settings.guildId) : Routes.applicationCommands(settings.applicationId);
  try {
    const result = (await rest.put(route, { body: [rdpCommandDefinition()] })) as { id: string; name: string; options?: { name: string }[] }[];
    return {
      scope: settings.guildId ? 'guild' : 'global',
      guildId: settings.guildId ?? null,
      commands: result.map((c) => ({ id: c.id, name: c.name, options: (c.options ?? []).map((o) => o.name) })),
    };
  } catch (e) {
    throw new Error(toDeliveryError(e, 'registering /rdp').message);
  } finally {
    rest.clearHashSweeper();
    rest.clearHandlerSweeper();
  }
}

