// Discord interactions to the bot's Inbound parts: who (user id, name, role ids), where (channel,
// thread) and, for slash commands, the subcommand and its options; and whether the place is one the
// bot answers in (the guild and channel allow-list). Reads defensively: a partial or odd payload gives
// empty values, never a throw.
import { ApplicationCommandOptionType, ChannelType, type BaseInteraction, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import type { ChatUser, ConversationRef } from '../../chat/model.ts';
import type { SlashInput } from './commands.ts';

const THREAD_TYPES: readonly number[] = [ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread];

/** The member's role ids as Discord sends them (without @everyone, whose id is the guild's). */
export function roleIdsOf(interaction: BaseInteraction): string[] {
  const member = interaction.member;
  if (!member) return [];
  if (Array.isArray(member.roles)) return member.roles.filter((r): r is string => typeof r === 'string');
  const guildId = interaction.guildId;
  return [...member.roles.cache.keys()].filter((id) => id !== guildId);
}

export function userOf(interaction: BaseInteraction): ChatUser {
  return { platform: 'discord', id: interaction.user.id, name: interaction.user.username, groups: roleIdsOf(interaction) };
}

/**
 * Whether the interaction happened in a thread, from the channel type Discord sent with it (`rawType`,
 * read off the packet: discord.js caches a thread it has not seen only with the Channel partial).
 */
export function inThread(interaction: BaseInteraction, rawType?: number): boolean {
  const type = rawType ?? interaction.channel?.type;
  return type !== undefined && THREAD_TYPES.includes(type);
}

export function slashInputOf(interaction: ChatInputCommandInteraction): SlashInput {
  const top = interaction.options.data.find((o) => o.type === ApplicationCommandOptionType.Subcommand);
  const options: Record<string, string | undefined> = {};
  for (const o of top?.options ?? []) {
    if (o.value !== undefined && o.value !== null) options[o.name] = String(o.value);
  }
  return { subcommand: top?.name ?? '', options };
}

export function commandWhere(interaction: ChatInputCommandInteraction, channelId: string): ConversationRef {
  return { platform: 'discord', channel: channelId, rootMessageId: null, threadId: null, handle: interaction.id };
}

/**
 * Where a click happened. In a thread, the thread is the channel and (threads start from their root
 * message, with the same id) the root message id is the thread id. On a root message in the parent
 * channel, its thread (if Discord sent it along) is the conversation's thread.
 */
export function buttonWhere(interaction: ButtonInteraction, channelId: string, isThread: boolean): ConversationRef {
  if (isThread) return { platform: 'discord', channel: channelId, rootMessageId: channelId, threadId: channelId, handle: interaction.id };
  const thread = interaction.message.thread;
  return {
    platform: 'discord',
    channel: channelId,
    rootMessageId: thread ? interaction.message.id : null,
    threadId: thread?.id ?? null,
    handle: interaction.id,
  };
}

/** Where the bot answers: these guilds and these channels (null: any). */
export interface DiscordPlaces {
  guilds: readonly string[] | null;
  channels: readonly string[] | null;
}

/**
 * Null when an interaction from this guild and channel (a thread: its parent counts) may reach the
 * bot; else what to tell the person. A direct message has no guild: refused once guilds are listed.
 */
export function placeRefusal(guildId: string | null, channelId: string | null, parentId: string | null, allowed: DiscordPlaces): string | null {
  if (allowed.guilds) {
    if (!guildId) return 'rdp-medic answers in its server only, not in direct messages.';
    if (!allowed.guilds.includes(guildId)) return 'rdp-medic is not enabled in this server.';
  }
  if (allowed.channels && ![channelId, parentId].some((c) => c !== null && allowed.channels!.includes(c))) {
    const where = allowed.channels.slice(0, 5).map((c) => `<#${c}>`).join(', ');
    return `rdp-medic does not answer in this channel; use ${where}${allowed.channels.length > 5 ? ' (or another allowed channel)' : ''}.`;
  }
  return null;
}
