// What `rdp-medic config check` finds in a configuration file without connecting anywhere: every
// mistake with its path (the schema's, the chat settings', secrets that do not resolve, files that
// cannot be read), and a summary of what the file sets up. Secrets are resolved the way bot and
// workers resolve them (resolveSecret) and their values never leave this module: mistakes name the
// environment variable or the file, never what it holds.
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { DiscordSettingsError, loadDiscordSettings, type DiscordSettings } from '../../adapters/discord/settings.ts';
import { SlackSettingsError, loadSlackSettings, type SlackSettings } from '../../adapters/slack/settings.ts';
import { formatIssues, loadConfig, resolveSecret } from '../../config/load.ts';
import { RedisSettings, type RedisTls } from '../../config/redis-settings.ts';
import { Config, type SecretRef } from '../../config/schema.ts';
import { redactRedisUrl, redisOptions } from '../../state/redis.ts';

export interface Review {
  /** "path: what is wrong", one per mistake, in file order where the schema gives it. */
  mistakes: string[];
  /** Worth saying, not wrong (e.g. no chat platform: fine for a worker-only file). */
  warnings: string[];
  /** The validated configuration (paths made absolute), when there is no mistake. */
  config: Config | null;
  slack: SlackSettings | null;
  discord: DiscordSettings | null;
  /** Every secret value resolved, for masking whatever is printed afterwards. */
  secretValues: string[];
}

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where a secret comes from, in words that never include its value. */
export function secretSource(ref: SecretRef): string {
  if ('env' in ref) return `env ${ref.env}`;
  if ('file' in ref) return `file ${ref.file}`;
  return 'written in the file';
}

async function readable(path: string): Promise<string | null> {
  try {
    await access(path, constants.R_OK);
    return null;
  } catch (e) {
    return `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`;
  }
}

/**
 * The parts that hold secrets and files, each validated on its own: a mistake elsewhere in the file
 * must not hide an unset environment variable (the operator would fix one thing, run again, and
 * meet the next).
 */
function secretsAndFiles(raw: Raw, dir: string): { secrets: { path: string; ref: SecretRef }[]; files: { path: string; file: string }[] } {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  const secrets: { path: string; ref: SecretRef }[] = [];
  const files: { path: string; file: string }[] = [];
  const withFile = (ref: SecretRef): SecretRef => ('file' in ref ? { file: abs(ref.file) } : ref);
  const credentials = Config.shape.credentials.safeParse(raw['credentials']);
  if (credentials.success) {
    for (const [name, c] of Object.entries(credentials.data)) secrets.push({ path: `credentials.${name}.password`, ref: withFile(c.password) });
  }
  if (isRecord(raw['hosts'])) {
    for (const [id, h] of Object.entries(raw['hosts'])) {
      // Read from the raw host: a mistake elsewhere in the same host must not hide a missing CA file.
      const ca = isRecord(h) && isRecord(h['winrm']) ? h['winrm']['ca'] : undefined;
      if (typeof ca === 'string' && ca) files.push({ path: `hosts.${id}.winrm.ca`, file: abs(ca) });
    }
  }
  const redis = RedisSettings.safeParse(raw['redis']);
  if (redis.success) {
    const r = redis.data;
    if (r.password) secrets.push({ path: 'redis.password', ref: withFile(r.password) });
    if (r.sentinelPassword) secrets.push({ path: 'redis.sentinelPassword', ref: withFile(r.sentinelPassword) });
    const tlsFiles = (tls: RedisTls | undefined, where: string): void => {
      for (const k of ['ca', 'cert', 'key'] as const) if (tls?.[k]) files.push({ path: `redis.${where}.${k}`, file: abs(tls[k]) });
    };
    tlsFiles(r.tls, 'tls');
    tlsFiles(typeof r.sentinelTls === 'object' ? r.sentinelTls : undefined, 'sentinelTls');
  }
  return { secrets, files };
}

/** "invalid Slack settings:\n  a\n  b" -> ["a", "b"]: each line already names its setting. */
const slackProblems = (e: SlackSettingsError): string[] =>
  e.message
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean);

function chatSettings(raw: Raw, env: NodeJS.ProcessEnv, mistakes: string[]): { slack: SlackSettings | null; discord: DiscordSettings | null } {
  let slack: SlackSettings | null = null;
  let discord: DiscordSettings | null = null;
  // The same rule as the bot's (commands/lib/chat-adapters.ts): a section, or the token in the environment.
  const slackRecord = isRecord(raw['slack']) ? raw['slack'] : undefined;
  if (slackRecord || env['SLACK_BOT_TOKEN']) {
    try {
      slack = loadSlackSettings(slackRecord, env);
    } catch (e) {
      if (!(e instanceof SlackSettingsError)) throw e;
      mistakes.push(...slackProblems(e));
    }
  }
  const discordRecord = isRecord(raw['discord']) ? raw['discord'] : undefined;
  if (discordRecord || env['DISCORD_TOKEN']) {
    try {
      discord = loadDiscordSettings(discordRecord, env);
    } catch (e) {
      if (!(e instanceof DiscordSettingsError)) throw e;
      mistakes.push(...e.problems);
    }
  }
  return { slack, discord };
}

/** Reviews `file` with `env` as the environment bot and workers would have. Never throws for a bad file. */
export async function reviewConfig(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Review> {
  const review: Review = { mistakes: [], warnings: [], config: null, slack: null, discord: null, secretValues: [] };
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    review.mistakes.push(`${file}: cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return review;
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (e) {
    review.mistakes.push(`(top level): not valid YAML/JSON: ${(e as Error).message}`);
    return review;
  }
  if (!isRecord(raw)) {
    review.mistakes.push('(top level): expected a mapping with hosts, credentials, policy... (see rdp-medic.example.yaml)');
    return review;
  }

  const parsed = Config.safeParse(raw, { reportInput: false });
  // Every section's mistakes at once (a section's own cross-checks included); the checks across
  // sections (a host's credential, a role's scope) follow once the file is well-formed.
  if (!parsed.success) review.mistakes.push(...formatIssues(parsed.error.issues as z.core.$ZodIssue[]));

  const { secrets, files } = secretsAndFiles(raw, dirname(resolve(file)));
  for (const s of secrets) {
    try {
      const value = await resolveSecret(s.ref);
      if (value === '') review.mistakes.push(`${s.path}: ${secretSource(s.ref)} is empty`);
      else review.secretValues.push(value);
    } catch (e) {
      review.mistakes.push(`${s.path}: ${(e as Error).message}`);
    }
  }
  for (const f of files) {
    const problem = await readable(f.file);
    if (problem) review.mistakes.push(`${f.path}: ${problem}`);
  }

  const chat = chatSettings(raw, env, review.mistakes);
  review.slack = chat.slack;
  review.discord = chat.discord;
  if (chat.slack) review.secretValues.push(...[chat.slack.botToken, chat.slack.appToken, chat.slack.signingSecret].filter((v): v is string => !!v));
  if (chat.discord) review.secretValues.push(chat.discord.token);
  if (!chat.slack && !chat.discord && !review.mistakes.some((m) => /^(slack|discord)\b/i.test(m))) {
    review.warnings.push('no chat platform: `rdp-medic bot` needs a slack: or discord: section (or SLACK_BOT_TOKEN / DISCORD_TOKEN), or --console; a worker needs none');
  }

  if (parsed.success) {
    // The URL and TLS as bot and workers will read them (REDIS_URL wins over redis.url).
    const r = parsed.data.redis;
    const url = env['REDIS_URL'] || r.url;
    try {
      redisOptions({ ...(url ? { url } : {}), ...(r.tls ? { tls: {} } : {}) });
    } catch (e) {
      review.mistakes.push(`redis.url${env['REDIS_URL'] ? ' (REDIS_URL)' : ''}: ${(e as Error).message}`);
    }
  }
  // Paths made absolute the way bot and workers see them (relative to the file).
  if (review.mistakes.length === 0) review.config = loadConfig(file);
  return review;
}

/** A few lines on what the file sets up; names and sources only, never a secret value. */
export function summarize(review: Review, env: NodeJS.ProcessEnv = process.env): string[] {
  const config = review.config;
  if (!config) return [];
  const hosts = Object.values(config.hosts);
  const groups = [...new Set(hosts.flatMap((h) => h.groups))].sort();
  const tags = [...new Set(hosts.flatMap((h) => h.tags))].sort();
  const lines = [
    `hosts: ${hosts.length}${groups.length ? `; groups ${groups.join(', ')}` : ''}${tags.length ? `; tags ${tags.join(', ')}` : ''}`,
    `credentials: ${Object.entries(config.credentials).map(([name, c]) => `${name} (${c.username}, password from ${secretSource(c.password)})`).join('; ') || 'none'}`,
  ];
  const chat: string[] = [];
  if (review.slack) chat.push(`slack (${review.slack.mode === 'http' ? `HTTP mode on port ${review.slack.port}` : 'Socket Mode'})`);
  if (review.discord) chat.push(`discord (application ${review.discord.applicationId})`);
  lines.push(`chat: ${chat.join(', ') || 'none'}`);
  const r = config.redis;
  const { url } = redisOptions({ ...(env['REDIS_URL'] || r.url ? { url: env['REDIS_URL'] || r.url } : {}) });
  const where = r.sentinels ? `Sentinel master "${r.name ?? env['REDIS_SENTINEL_NAME'] ?? 'mymaster'}" via ${r.sentinels.map((s) => `${s.host}:${s.port}`).join(', ')}` : redactRedisUrl(url);
  lines.push(`redis: ${where}${env['REDIS_URL'] ? ' (from REDIS_URL)' : ''}; prefix ${r.prefix}${r.password ? `; password from ${secretSource(r.password)}` : ''}`);
  const roles = Object.keys(config.policy.roles);
  lines.push(`policy: ${roles.length ? `roles ${roles.join(', ')}` : 'no roles: nobody may do anything'}`);
  return lines;
}
