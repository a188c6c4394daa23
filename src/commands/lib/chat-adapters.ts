// Which chat platforms a bot process serves: Slack when the config has `slack` or SLACK_BOT_TOKEN
// is set, Discord when it has `discord` or DISCORD_TOKEN, the console with --console.
import type { ChatAdapter } from '../../chat/adapter.ts';
import { inventoryOf } from '../../bot/grammar.ts';
import type { Config } from '../../config/schema.ts';
import { createDiscordAdapter } from '../../adapters/discord/adapter.ts';
import { loadDiscordSettings } from '../../adapters/discord/settings.ts';
import { createSlackAdapter } from '../../adapters/slack/adapter.ts';
import { loadSlackSettings } from '../../adapters/slack/settings.ts';
import { FIX_IDS } from '../../rdp/fixes/catalogue.ts';
import type { Logger } from '../../log.ts';
import { namesWithin } from '../../bot/grammar/inventory.ts';
import type { ChatUser } from '../../chat/model.ts';
import { policyGate } from '../../policy/index.ts';
import { UsageError } from './cli-io.ts';

export function chatAdapters(config: Config, logger: Logger, env: NodeJS.ProcessEnv = process.env): ChatAdapter[] {
  const adapters: ChatAdapter[] = [];
  if (config.slack || env['SLACK_BOT_TOKEN']) adapters.push(createSlackAdapter(loadSlackSettings(config.slack, env), { logger: logger.child({ platform: 'slack' }) }));
  if (config.discord || env['DISCORD_TOKEN']) {
    const inventory = inventoryOf(config);
    const gate = policyGate(config.policy, config.hosts);
    const names = (user: ChatUser): ReturnType<typeof namesWithin> => namesWithin(inventory, gate.checkable(user));
    adapters.push(createDiscordAdapter(loadDiscordSettings(config.discord, env), { inventory: names, fixIds: [...FIX_IDS], logger: logger.child({ platform: 'discord' }) }));
  }
  return adapters;
}

export function requirePlatform(adapters: readonly ChatAdapter[]): void {
  if (adapters.length === 0) {
    throw new UsageError('no chat platform configured: add a `slack:` or `discord:` section to the config (or set SLACK_BOT_TOKEN / DISCORD_TOKEN), or pass --console for the terminal chat');
  }
}
