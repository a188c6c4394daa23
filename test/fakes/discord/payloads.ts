// Gateway payloads the fake sends: READY, GUILD_CREATE and INTERACTION_CREATE bodies for slash
// commands, autocomplete and button clicks, in the shapes discord.js 14.28 accepts (chat-fakes.md §3).
import { IDS, snowflake } from './snowflake.ts';

export const PERMISSIONS = '2248473465835073';

export interface FakeUser {
  id: string;
  username: string;
  roles: string[];
}

export const ALICE: FakeUser = { id: IDS.alice, username: 'alice', roles: [IDS.responderRole] };
export const BOB: FakeUser = { id: IDS.bob, username: 'bob', roles: [IDS.responderRole, IDS.oncallRole] };

export const botUser = { id: IDS.bot, username: 'rdpbot', discriminator: '0', global_name: null, avatar: null, bot: true };

export function readyPayload(gatewayUrl: string, sessionId: string): Record<string, unknown> {
  return {
    v: 10,
    user: botUser,
    guilds: [],
    session_id: sessionId,
    resume_gateway_url: gatewayUrl,
    application: { id: IDS.application, flags: 0 },
  };
}

export function textChannel(id: string, name: string): Record<string, unknown> {
  return { id, type: 0, guild_id: IDS.guild, name, position: 0, permission_overwrites: [], nsfw: false, parent_id: null, last_message_id: null, rate_limit_per_user: 0, topic: null };
}

export function guildCreatePayload(): Record<string, unknown> {
  const role = (id: string, name: string, position: number): Record<string, unknown> => ({
    id, name, color: 0, hoist: false, icon: null, unicode_emoji: null, position, permissions: PERMISSIONS, managed: false, mentionable: true, flags: 0,
  });
  return {
    id: IDS.guild,
    name: 'Fake Ops',
    icon: null,
    owner_id: IDS.alice,
    joined_at: '2024-01-01T00:00:00.000Z',
    member_count: 3,
    large: false,
    unavailable: false,
    features: [],
    channels: [textChannel(IDS.channel, 'ops'), textChannel(IDS.otherChannel, 'other')],
    threads: [],
    roles: [role(IDS.guild, '@everyone', 0), role(IDS.responderRole, 'rdp-responders', 1), role(IDS.oncallRole, 'rdp-oncall', 2)],
    members: [],
    emojis: [],
    stickers: [],
    voice_states: [],
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export function userObject(u: FakeUser): Record<string, unknown> {
  return { id: u.id, username: u.username, discriminator: '0', global_name: u.username, avatar: null };
}

/** A message as Discord returns it (type 0 default, 20 for a command's response). */
export function messageObject(m: { id: string; channel_id: string; content?: string; embeds?: unknown[]; components?: unknown[]; flags?: number; type?: number; webhook_id?: string }): Record<string, unknown> {
  return {
    id: m.id,
    channel_id: m.channel_id,
    guild_id: IDS.guild,
    type: m.type ?? 0,
    content: m.content ?? '',
    flags: m.flags ?? 0,
    author: botUser,
    components: m.components ?? [],
    embeds: m.embeds ?? [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    ...(m.webhook_id ? { webhook_id: m.webhook_id, application_id: IDS.application } : {}),
  };
}

interface Where {
  /** The guild the interaction comes from (default: the fake's own guild). */
  guildId?: string;
  channelId?: string;
  /** Channel type: 0 text, 11 public thread. */
  channelType?: number;
  parentId?: string;
}

function base(type: number, user: FakeUser, where: Where): Record<string, unknown> {
  const channelId = where.channelId ?? IDS.channel;
  const channelType = where.channelType ?? 0;
  const guildId = where.guildId ?? IDS.guild;
  return {
    id: snowflake(),
    application_id: IDS.application,
    type,
    token: `itoken-${snowflake()}-${Math.random().toString(36).slice(2)}`,
    version: 1,
    guild_id: guildId,
    channel_id: channelId,
    channel: { id: channelId, type: channelType, guild_id: guildId, name: channelType === 0 ? 'ops' : 'rdp thread', ...(where.parentId ? { parent_id: where.parentId } : {}) },
    member: { user: userObject(user), roles: user.roles, permissions: PERMISSIONS, joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 },
    app_permissions: PERMISSIONS,
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': guildId },
    context: 0,
  };
}

export interface SlashOptions extends Where {
  subcommand: string;
  options?: Record<string, string>;
  user?: FakeUser;
  commandName?: string;
}

export function slashInteraction(o: SlashOptions): Record<string, unknown> {
  const options = Object.entries(o.options ?? {}).map(([name, value]) => ({ type: 3, name, value }));
  return {
    ...base(2, o.user ?? ALICE, o),
    data: { id: IDS.command, name: o.commandName ?? 'rdp', type: 1, guild_id: IDS.guild, options: [{ type: 1, name: o.subcommand, options }] },
  };
}

export interface AutocompleteOptions extends Where {
  subcommand: string;
  focused: string;
  value: string;
  others?: Record<string, string>;
  user?: FakeUser;
}

export function autocompleteInteraction(o: AutocompleteOptions): Record<string, unknown> {
  const options = [
    ...Object.entries(o.others ?? {}).map(([name, value]) => ({ type: 3, name, value })),
    { type: 3, name: o.focused, value: o.value, focused: true },
  ];
  return { ...base(4, o.user ?? ALICE, o), data: { id: IDS.command, name: 'rdp', type: 1, guild_id: IDS.guild, options: [{ type: 1, name: o.subcommand, options }] } };
}

export interface ButtonOptions extends Where {
  customId: string;
  messageId: string;
  user?: FakeUser;
  /** The clicked message as the fake stores it (default: a bare bot message). */
  message?: Record<string, unknown>;
}

export function buttonInteraction(o: ButtonOptions): Record<string, unknown> {
  const channelId = o.channelId ?? IDS.channel;
  return {
    ...base(3, o.user ?? ALICE, o),
    data: { custom_id: o.customId, component_type: 2 },
    message: o.message ?? messageObject({ id: o.messageId, channel_id: channelId }),
  };
}
