// Discord settings: the config file's `discord` record, with environment variables on top (a token
// belongs in the environment, not in a file). Errors name the setting and what it should be, and
// never echo a value: the token must not reach a terminal or a log.
import { z } from 'zod';
import type { DiscordPlaces } from './inbound.ts';

const Snowflake = z.string().regex(/^\d{15,25}$/, 'a Discord id (a snowflake: 15-25 digits; copy it with Developer Mode on)');

export const DiscordSettings = z
  .object({
    token: z.string().min(1, 'the bot token (Developer Portal > Bot > Reset Token)').regex(/^\S+$/, 'a bot token without spaces'),
    applicationId: Snowflake,
    /** Register /rdp in this guild only (instant); absent: global commands. */
    guildId: Snowflake.optional(),
    /**
     * The guilds whose commands and clicks the bot takes; anything from another guild (or a direct
     * message) is refused. Absent: [guildId] when guildId is set, else every guild the bot is in.
     */
    allowedGuilds: z.array(Snowflake).min(1, 'at least one guild id; leave it out for guildId alone').optional(),
    /** The channels the bot answers in (a thread counts as its parent channel). Absent: every channel. */
    allowedChannels: z.array(Snowflake).min(1, 'at least one channel id; leave it out for every channel').optional(),
    /** The role notify:'oncall' cards mention. */
    oncallRoleId: Snowflake.optional(),
    /** REST base without the version (default https://discord.com/api); tests point it at a fake. */
    apiUrl: z
      .url({ protocol: /^https?$/, error: 'an http(s) URL such as https://discord.com/api' })
      .transform((u) => u.replace(/\/+$/, ''))
      .optional(),
    /** Every REST request gives up after this long (the deliver queue retries). */
    requestTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
    /** Rate-limit waits up to this long happen in the library; longer ones go back to the caller as retryAfterMs. */
    maxRateLimitWaitMs: z.number().int().min(0).max(600_000).default(5_000),
  })
  .strict();
export type DiscordSettings = z.output<typeof DiscordSettings>;

/** Environment variable -> setting. */
export const ENV_OVERRIDES = {
  DISCORD_TOKEN: 'token',
  DISCORD_APPLICATION_ID: 'applicationId',
  DISCORD_GUILD_ID: 'guildId',
  DISCORD_ONCALL_ROLE_ID: 'oncallRoleId',
  DISCORD_API_URL: 'apiUrl',
} as const satisfies Record<string, keyof DiscordSettings>;

export class DiscordSettingsError extends Error {
  override readonly name = 'DiscordSettingsError';
  constructor(readonly problems: string[]) {
    super(`invalid Discord settings\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

function sourceOf(key: string, env: NodeJS.ProcessEnv): string {
  const name = Object.entries(ENV_OVERRIDES).find(([, k]) => k === key)?.[0];
  return name && env[name] !== undefined && env[name] !== '' ? `${name} (discord.${key})` : `discord.${key}`;
}

/** Settings from the config's `discord` record (may be absent) and the environment, validated. */
export function loadDiscordSettings(record: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv = process.env): DiscordSettings {
  const merged: Record<string, unknown> = { ...(record ?? {}) };
  for (const [name, key] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v !== undefined && v !== '') merged[key] = v.trim();
  }
  const parsed = DiscordSettings.safeParse(merged);
  if (parsed.success) return parsed.data;
  // Messages only: zod's issues carry no input values unless asked, and we never add them.
  const problems = parsed.error.issues.map((i) => {
    const key = String(i.path[0] ?? '');
    if (i.code === 'unrecognized_keys') return `discord: unknown setting ${i.keys.map((k) => `"${k}"`).join(', ')}; known: ${Object.keys(DiscordSettings.shape).join(', ')}`;
    if (i.code === 'invalid_type' && i.input === undefined) return `${sourceOf(key, env)} is missing: expected ${expectation(key)}`;
    return `${sourceOf(key, env)}: expected ${expectation(key, i.message)}`;
  });
  throw new DiscordSettingsError(problems);
}

function expectation(key: string, fallback?: string): string {
  switch (key) {
    case 'token':
      return fallback && !fallback.startsWith('Invalid') ? fallback : 'the bot token (set DISCORD_TOKEN)';
    case 'applicationId':
      return 'the application id, a snowflake of 15-25 digits (set DISCORD_APPLICATION_ID)';
    case 'guildId':
    case 'oncallRoleId':
      return 'a Discord id (a snowflake: 15-25 digits)';
    case 'allowedGuilds':
    case 'allowedChannels':
      return 'a list of Discord ids (snowflakes: 15-25 digits), e.g. ["123456789012345678"]';
    case 'apiUrl':
      return 'an http(s) URL such as https://discord.com/api';
    default:
      return fallback ?? 'a valid value';
  }
}

/** The guilds and channels the bot answers in (null: any), from the settings' allow-lists. */
export function allowedPlaces(s: DiscordSettings): DiscordPlaces {
  return { guilds: s.allowedGuilds ?? (s.guildId ? [s.guildId] : null), channels: s.allowedChannels ?? null };
}
