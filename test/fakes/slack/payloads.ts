// What Slack sends an app, as the smallest realistic payloads (chat-fakes.md §1.4, §1.5, §2.2):
// slash commands, block_actions clicks and app_mention events, for both HTTP and Socket Mode. Like
// Slack's, every command's and click's trigger_id is new (a replay is the same body sent again).
import { randomBytes } from 'node:crypto';

let triggers = 0;
/** "12345.67890.9f3a…": unique per payload, as Slack's are. */
export const newTriggerId = (): string => `${++triggers}.${Date.now()}.${randomBytes(8).toString('hex')}`;

export interface SlashCommandFields {
  text: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  command?: string;
  responseUrl?: string;
  teamId?: string;
  triggerId?: string;
}

export function slashCommandPayload(f: SlashCommandFields): Record<string, string> {
  return {
    token: 'legacy',
    team_id: f.teamId ?? 'T0001',
    team_domain: 'fake',
    channel_id: f.channelId ?? 'C0CHAN',
    channel_name: 'ops',
    user_id: f.userId ?? 'U0USER',
    user_name: f.userName ?? 'alice',
    command: f.command ?? '/rdp',
    text: f.text,
    api_app_id: 'A0APP',
    is_enterprise_install: 'false',
    response_url: f.responseUrl ?? 'http://127.0.0.1:9/response/unused',
    trigger_id: f.triggerId ?? newTriggerId(),
  };
}

export interface ClickFields {
  actionId: string;
  userId?: string;
  userName?: string;
  channelId?: string;
  messageTs?: string;
  threadTs?: string;
  responseUrl?: string;
  teamId?: string;
  triggerId?: string;
}

export function blockActionsPayload(f: ClickFields): Record<string, unknown> {
  const messageTs = f.messageTs ?? '1700000002.000100';
  return {
    type: 'block_actions',
    user: { id: f.userId ?? 'U0USER', username: f.userName ?? 'alice', name: f.userName ?? 'alice', team_id: f.teamId ?? 'T0001' },
    api_app_id: 'A0APP',
    token: 'legacy',
    trigger_id: f.triggerId ?? newTriggerId(),
    team: { id: f.teamId ?? 'T0001', domain: 'fake' },
    container: { type: 'message', message_ts: messageTs, channel_id: f.channelId ?? 'C0CHAN', is_ephemeral: false, ...(f.threadTs ? { thread_ts: f.threadTs } : {}) },
    channel: { id: f.channelId ?? 'C0CHAN', name: 'ops' },
    message: { type: 'message', ts: messageTs, text: 'card', user: 'U0BOT', bot_id: 'B0BOT', ...(f.threadTs ? { thread_ts: f.threadTs } : {}) },
    response_url: f.responseUrl ?? 'http://127.0.0.1:9/response/unused',
    actions: [{ type: 'button', action_id: f.actionId, block_id: 'b1', value: f.actionId, action_ts: '1700000003.000000' }],
  };
}

export interface MentionFields {
  text: string;
  userId?: string;
  channelId?: string;
  ts?: string;
  threadTs?: string;
  botUserId?: string;
}

/** The event_callback body (HTTP) and the payload of an events_api envelope (Socket Mode). */
export function appMentionCallback(f: MentionFields, eventId = 'Ev01'): Record<string, unknown> {
  const ts = f.ts ?? '1700000005.000100';
  return {
    token: 'legacy',
    team_id: 'T0001',
    api_app_id: 'A0APP',
    type: 'event_callback',
    event_id: eventId,
    event_time: 1700000000,
    authorizations: [{ enterprise_id: null, team_id: 'T0001', user_id: f.botUserId ?? 'U0BOT', is_bot: true, is_enterprise_install: false }],
    event: {
      type: 'app_mention',
      user: f.userId ?? 'U0USER',
      text: f.text,
      ts,
      channel: f.channelId ?? 'C0CHAN',
      event_ts: ts,
      ...(f.threadTs ? { thread_ts: f.threadTs } : {}),
    },
  };
}

/** Form body of a slash command. */
export function formBody(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

/** Form body of an interactive payload: payload=<urlencoded JSON>. */
export function payloadBody(payload: unknown): string {
  return `payload=${encodeURIComponent(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
}
