// Slack settings: the config file's `slack` record, with SLACK_* environment variables on top
// (tokens usually arrive through the environment). Validated once; a mistake names the setting and
// what it should be, and never echoes a value, since most of these values are secrets.
import { z } from 'zod';

export const SLACK_MODES = ['socket', 'http'] as const;
export type SlackMode = (typeof SLACK_MODES)[number];

/** Config key -> environment variable that overrides it. */
export const SLACK_ENV: Record<string, string> = {
  botToken: 'SLACK_BOT_TOKEN',
  appToken: 'SLACK_APP_TOKEN',
  signingSecret: 'SLACK_SIGNING_SECRET',
  mode: 'SLACK_MODE',
  port: 'SLACK_PORT',
  apiUrl: 'SLACK_API_URL',
  oncallGroupId: 'SLACK_ONCALL_GROUP_ID',
};

/** Settings only the config file sets (lists have no environment variable). */
const FILE_ONLY = ['allowedTeams', 'allowedChannels'];

const msg = (text: string) => ({ error: () => text });

const SlackSettingsSchema = z
  .object({
    botToken: z.string(msg('expected a bot token string starting with "xoxb-"')).regex(/^xoxb-\S+$/, 'expected a bot token starting with "xoxb-"'),
    appToken: z.string(msg('expected an app-level token string starting with "xapp-"')).regex(/^xapp-\S+$/, 'expected an app-level token starting with "xapp-"').optional(),
    signingSecret: z.string(msg('expected the signing secret as a string')).min(8, 'expected the app\'s signing secret (Basic Information page)').optional(),
    mode: z.enum(SLACK_MODES, msg('expected "socket" or "http"')).default('socket'),
    port: z.coerce.number(msg('expected a port number 0-65535')).int('expected a whole port number').min(0).max(65535, 'expected a port number 0-65535').default(3000),
    apiUrl: z
      .url(msg('expected an http(s) URL such as https://slack.com/api/'))
      .refine((u) => /^https?:$/.test(new URL(u).protocol), 'expected an http:// or https:// URL')
      .default('https://slack.com/api/'),
    oncallGroupId: z.string(msg('expected a user group id such as S0123ABC')).regex(/^S[A-Z0-9]{2,30}$/, 'expected a Slack user group id such as S0123ABC').optional(),
    /**
     * Workspaces (T…) or Enterprise Grid organizations (E…) whose people may use the bot. Absent: the
     * bot token's own workspace (and organization), from auth.test at start.
     */
    allowedTeams: z.array(z.string().regex(/^[TE][A-Z0-9]{2,30}$/, 'expected workspace ids such as T0123ABC (or organization ids E0123ABC)'), msg('expected a list of workspace ids such as ["T0123ABC"]')).min(1, 'expected at least one workspace id; leave it out for the bot\'s own workspace').optional(),
    /** Channels the bot answers in (C…, G…). Absent: every channel it is invited to. */
    allowedChannels: z.array(z.string().regex(/^[CGD][A-Z0-9]{2,30}$/, 'expected channel ids such as C0123ABC'), msg('expected a list of channel ids such as ["C0123ABC"]')).min(1, 'expected at least one channel id; leave it out for every channel').optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.mode === 'socket' && !s.appToken) {
      ctx.addIssue({ code: 'custom', path: ['appToken'], message: 'Socket Mode needs an app-level token (xapp-…, scope connections:write)' });
    }
    if (s.mode === 'http' && !s.signingSecret) {
      ctx.addIssue({ code: 'custom', path: ['signingSecret'], message: 'HTTP mode needs the app\'s signing secret' });
    }
  });

export type SlackSettings = z.output<typeof SlackSettingsSchema>;

export class SlackSettingsError extends Error {
  override readonly name = 'SlackSettingsError';
}

/** "slack.botToken (env SLACK_BOT_TOKEN)" for the first path element of an issue. */
function settingName(key: string | undefined): string {
  if (!key) return 'slack';
  const env = SLACK_ENV[key];
  return env ? `slack.${key} (env ${env})` : `slack.${key}`;
}

/**
 * Reads the settings from the config record and the environment (environment wins). Throws
 * SlackSettingsError listing every problem; messages never contain the values.
 */
export function loadSlackSettings(record: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv = process.env): SlackSettings {
  const merged: Record<string, unknown> = { ...(record ?? {}) };
  for (const [key, name] of Object.entries(SLACK_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') merged[key] = value;
  }
  // zod's own messages for unknown keys can quote input; ours name the key only.
  const result = SlackSettingsSchema.safeParse(merged, { reportInput: false });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `slack: unknown setting(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}; known: ${[...Object.keys(SLACK_ENV), ...FILE_ONLY].join(', ')}`;
    return `${settingName(issue.path[0] as string | undefined)}: ${issue.message}`;
  });
  throw new SlackSettingsError(`invalid Slack settings:\n  ${lines.join('\n  ')}`);
}

/** Settings safe to log: which secrets are set, never their values. */
export function describeSlackSettings(s: SlackSettings): Record<string, unknown> {
  return {
    mode: s.mode,
    port: s.mode === 'http' ? s.port : undefined,
    apiUrl: s.apiUrl,
    oncallGroupId: s.oncallGroupId,
    allowedTeams: s.allowedTeams ?? 'the bot\'s own workspace',
    allowedChannels: s.allowedChannels ?? 'every channel',
    botToken: 'set',
    appToken: s.appToken ? 'set' : 'unset',
    signingSecret: s.signingSecret ? 'set' : 'unset',
  };
}
