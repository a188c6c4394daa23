// The Slack app manifest (api.slack.com/reference/manifests): one paste creates the app with the
// /rdp command, the bot scopes and interactivity. Socket Mode by default; with a request URL, the
// same app for HTTP mode (Slack then POSTs commands, clicks and events to that URL).

/** Bot scopes and why each is needed (docs/slack.md repeats this). */
export const BOT_SCOPES = [
  'commands', // the /rdp slash command
  'chat:write', // post and update the bot's messages in channels it was invited to
  'app_mentions:read', // "@rdp-medic check work-pc"
  'usergroups:read', // a user's user groups, for policy roles (slack-group:S…)
  'users:read', // display names of users who mention the bot
  'channels:history', // find a message whose post answer was lost (by its metadata) instead of posting it twice
  'groups:history', // the same in private channels
  'files:write', // share a plan's PowerShell and an evidence export as files in a thread (files.uploadV2)
] as const;

export const COMMAND_USAGE = 'check HOST | fix HOST FIX | undo HOST UNDO_ID | status | history | hosts | help';

export interface ManifestOptions {
  /** HTTP mode: the public https URL of /slack/events; omitted means Socket Mode. */
  requestUrl?: string;
  /** App and bot name (default rdp-medic). */
  name?: string;
}

export function slackManifest(opts: ManifestOptions = {}): Record<string, unknown> {
  const name = opts.name ?? 'rdp-medic';
  const url = opts.requestUrl;
  return {
    display_information: {
      name,
      description: 'Diagnoses and fixes broken Remote Desktop, with approvals.',
      background_color: '#1d3557',
      long_description:
        'rdp-medic checks why Remote Desktop to a Windows host fails (service, listener, firewall, certificate, NLA, policy), ' +
        'explains the cause in the channel, and proposes reversible fixes that run only after an approval. Type /rdp help.',
    },
    features: {
      bot_user: { display_name: name, always_online: true },
      slash_commands: [
        {
          command: '/rdp',
          description: 'Check and fix Remote Desktop on a host',
          usage_hint: COMMAND_USAGE,
          should_escape: false,
          ...(url ? { url } : {}),
        },
      ],
    },
    oauth_config: { scopes: { bot: [...BOT_SCOPES] } },
    settings: {
      event_subscriptions: { ...(url ? { request_url: url } : {}), bot_events: ['app_mention'] },
      interactivity: { is_enabled: true, ...(url ? { request_url: url } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: !url,
      token_rotation_enabled: false,
    },
  };
}
