// The /rdp application command: one subcommand per grammar subcommand, so Discord's own UI guides
// the user, and a mapping back to the grammar text the bot parses ("check work-pc", "fix work-pc
// regenerate-rdp-certificate"). Hosts and fix ids autocomplete at runtime from what the bot passes in, so the
// registered definition never goes stale when the inventory or the fix catalogue changes.
import { ApplicationCommandOptionType, ApplicationCommandType, InteractionContextType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

export const COMMAND_NAME = 'rdp';

const HELP_TOPICS = ['check', 'fix', 'undo', 'status', 'history', 'hosts', 'help'] as const;

const host = (description: string) =>
  ({ type: ApplicationCommandOptionType.String, name: 'host', description, required: true, autocomplete: true, max_length: 100 }) as const;

/** The JSON body Discord registers (PUT applications/{app}/commands or .../guilds/{guild}/commands). */
export function rdpCommandDefinition(): RESTPostAPIChatInputApplicationCommandsJSONBody {
  const sub = ApplicationCommandOptionType.Subcommand;
  return {
    name: COMMAND_NAME,
    description: 'Diagnose and fix Remote Desktop on inventory hosts',
    type: ApplicationCommandType.ChatInput,
    contexts: [InteractionContextType.Guild], // guilds only: roles are what policy authorizes
    options: [
      { type: sub, name: 'check', description: 'Diagnose RDP on a host, a group:NAME or a tag:NAME', options: [host('Host, group:NAME or tag:NAME')] },
      {
        type: sub,
        name: 'fix',
        description: 'Request a fix on a host (needs an approval)',
        options: [host('Host'), { type: ApplicationCommandOptionType.String, name: 'fix', description: 'Fix id', required: true, autocomplete: true, max_length: 64 }],
      },
      {
        type: sub,
        name: 'undo',
        description: 'Undo a fix by the undo id its result named',
        options: [host('Host'), { type: ApplicationCommandOptionType.String, name: 'undo_id', description: 'Undo id, like u-7k3m9qzx', required: true, max_length: 64 }],
      },
      { type: sub, name: 'status', description: 'What rdp-medic knows about a host now', options: [host('Host')] },
      { type: sub, name: 'history', description: 'Recent checks and fixes on a host', options: [host('Host')] },
      { type: sub, name: 'hosts', description: 'List the inventory' },
      {
        type: sub,
        name: 'help',
        description: 'How to use /rdp',
        options: [
          { type: ApplicationCommandOptionType.String, name: 'command', description: 'A command to explain', required: false, choices: HELP_TOPICS.map((t) => ({ name: t, value: t })) },
        ],
      },
    ],
  };
}

/** What a chat-input interaction carries: the subcommand and its string options by name. */
export interface SlashInput {
  subcommand: string;
  options: Record<string, string | undefined>;
}

/** Option order per subcommand: the grammar's positional order. */
const ORDER: Record<string, string[]> = {
  check: ['host'],
  fix: ['host', 'fix'],
  undo: ['host', 'undo_id'],
  status: ['host'],
  history: ['host'],
  hosts: [],
  help: ['command'],
};

/**
 * The grammar text for a slash command. Values go in verbatim (trimmed): the grammar validates them
 * and explains a mistake better than we could here. An unknown subcommand is passed through so the
 * grammar's "unknown command" message answers it.
 */
export function toGrammarText(input: SlashInput): string {
  const names = ORDER[input.subcommand] ?? [];
  const values = names.map((n) => input.options[n]?.trim()).filter((v): v is string => v !== undefined && v !== '');
  return [input.subcommand, ...values].join(' ');
}
