// Slack payloads -> the bot's Inbound events. Every payload is validated here first: anything
// malformed is dropped (null) instead of reaching the bot as garbage. Also where a payload comes from
// (workspace, channel) for the allow-list, and Slack's own id of the delivery (trigger_id, event_id),
// by which the bot acts on a replayed or redelivered request once.
import { z } from 'zod';
import type { ChatUser, ConversationRef, Inbound } from '../../chat/model.ts';

const Id = z.string().min(1).max(100);

export const SlashCommandBody = z
  .object({ command: z.string(), text: z.string().max(4000).default(''), user_id: Id, user_name: z.string().default(''), channel_id: Id })
  .loose();

export const BlockActionsBody = z
  .object({
    type: z.literal('block_actions'),
    user: z.object({ id: Id, username: z.string().optional(), name: z.string().optional() }).loose(),
    channel: z.object({ id: Id }).loose().optional(),
    container: z.object({ channel_id: Id.optional(), message_ts: z.string().optional(), thread_ts: z.string().optional() }).loose().optional(),
    // Absent on ephemeral messages; the container then carries the ts.
    message: z.object({ ts: Id, thread_ts: z.string().optional() }).loose().optional(),
    actions: z.array(z.object({ action_id: z.string().min(1).max(255) }).loose()).min(1),
  })
  .loose();

export const AppMentionEvent = z
  .object({ type: z.literal('app_mention'), user: Id, text: z.string().max(4000), channel: Id, ts: z.string(), thread_ts: z.string().optional() })
  .loose();

function where(channel: string, threadTs: string | null): ConversationRef {
  return { platform: 'slack', channel, rootMessageId: threadTs, threadId: threadTs, handle: null };
}

export function slackUser(id: string, name: string, groups: string[]): ChatUser {
  return { platform: 'slack', id, name: name || id, groups };
}

/** What a /rdp command carries: the text after the command, who typed it, in which channel. */
export function commandInbound(body: unknown, groups: string[], receivedAt: string): Inbound | null {
  const p = SlashCommandBody.safeParse(body);
  if (!p.success) return null;
  const c = p.data;
  return { kind: 'command', text: c.text.trim(), user: slackUser(c.user_id, c.user_name, groups), where: where(c.channel_id, null), receivedAt };
}

/**
 * "<@U0BOT> check work-pc" -> "check work-pc". Also drops a leading "rdp" or "/rdp" word, since
 * people write "@rdp-medic rdp check work-pc" out of slash-command habit.
 */
export function stripMention(text: string, botUserId: string | null): string {
  let t = text.trim();
  const lead = /^<@([A-Z0-9]+)(?:\|[^>]*)?>\s*/i.exec(t);
  if (lead && (botUserId === null || lead[1] === botUserId)) t = t.slice(lead[0].length);
  return t.replace(/^\/?rdp(?:\s+|$)/i, '').trim();
}

export type AppMention = z.infer<typeof AppMentionEvent>;

export function parseMention(event: unknown): AppMention | null {
  const p = AppMentionEvent.safeParse(event);
  return p.success ? p.data : null;
}

/** A mention is a command in its channel, answered in its thread if it was written in one. */
export function mentionInbound(e: AppMention, botUserId: string | null, user: ChatUser, receivedAt: string): Inbound {
  return { kind: 'command', text: stripMention(e.text, botUserId), user, where: where(e.channel, e.thread_ts ?? null), receivedAt };
}

/** The parsed click: the first action (Slack sends one per click), its message and thread. */
export interface ParsedClick {
  actionId: string;
  userId: string;
  userName: string;
  channel: string;
  messageTs: string;
  threadTs: string;
}

export function parseClick(body: unknown): ParsedClick | null {
  const p = BlockActionsBody.safeParse(body);
  if (!p.success) return null;
  const b = p.data;
  const channel = b.channel?.id ?? b.container?.channel_id;
  const action = b.actions[0];
  const messageTs = b.message?.ts ?? b.container?.message_ts;
  if (!channel || !action || !messageTs) return null;
  return {
    actionId: action.action_id,
    userId: b.user.id,
    userName: b.user.username ?? b.user.name ?? '',
    channel,
    messageTs,
    // A click on a reply belongs to the reply's thread; on a root message, to the root's own.
    threadTs: b.message?.thread_ts ?? b.container?.thread_ts ?? messageTs,
  };
}

export function clickInbound(click: ParsedClick, groups: string[], receivedAt: string): Inbound {
  return {
    kind: 'action',
    actionId: click.actionId,
    user: slackUser(click.userId, click.userName, groups),
    where: where(click.channel, click.threadTs),
    messageId: click.messageTs,
    receivedAt,
  };
}

/** Slack's own id of one delivery: a slash command's or click's trigger_id, an event's event_id. */
const DeliveryFields = z.object({ trigger_id: z.string().min(1).max(200).optional(), event_id: z.string().min(1).max(200).optional() }).loose();

export function deliveryIdOf(body: unknown): string | undefined {
  const p = DeliveryFields.safeParse(body);
  return p.success ? (p.data.event_id ?? p.data.trigger_id) : undefined;
}

/** Where the person is from, wherever a payload's kind puts it: their workspace, and the organization. */
const TeamFields = z
  .object({
    team_id: Id.optional(),
    enterprise_id: Id.nullable().optional(),
    team: z.object({ id: Id }).loose().nullable().optional(),
    enterprise: z.object({ id: Id }).loose().nullable().optional(),
    user: z.object({ team_id: Id.optional() }).loose().optional(),
    event: z.object({ user_team: Id.optional() }).loose().optional(),
  })
  .loose();

/**
 * The person's workspace first (in a channel shared with another company the payload's own workspace
 * is ours, the clicking or mentioning user's is theirs), then the Enterprise Grid organization.
 */
export function teamsOf(body: unknown): string[] {
  const p = TeamFields.safeParse(body);
  if (!p.success) return [];
  const b = p.data;
  const workspace = b.user?.team_id ?? b.event?.user_team ?? b.team_id ?? b.team?.id;
  return [...new Set([workspace, b.enterprise_id, b.enterprise?.id].filter((x): x is string => typeof x === 'string'))];
}

/** Where the bot answers: these workspaces/organizations, and these channels (null: every channel). */
export interface SlackPlaces {
  teams: readonly string[];
  channels: readonly string[] | null;
}

/** Null when a payload from these teams, in this channel, may reach the bot; else what to tell the person. */
export function placeRefusal(teams: readonly string[], channel: string, allowed: SlackPlaces): string | null {
  if (!teams.some((t) => allowed.teams.includes(t))) return 'rdp-medic does not answer in this workspace.';
  if (allowed.channels && !allowed.channels.includes(channel)) {
    const where = allowed.channels.slice(0, 5).map((c) => `<#${c}>`).join(', ');
    return `rdp-medic does not answer in this channel; use ${where}${allowed.channels.length > 5 ? ' (or another allowed channel)' : ''}.`;
  }
  return null;
}
