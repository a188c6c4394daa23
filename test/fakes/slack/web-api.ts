// The fake's Web API methods: what each answers on success, given the recorded arguments. Posted
// messages are kept (with their metadata), so conversations.history and conversations.replies can
// answer as Slack does: metadata only with include_all_metadata, newest first in a channel, a
// thread's parent then its replies oldest first, pages by cursor.
import { blockLimitViolations } from './block-limits.ts';

export interface FakeUserGroup {
  id: string;
  handle: string;
  users: string[];
}

/** A message the fake holds, as chat.postMessage / chat.update left it. */
export interface FakeSlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown;
  metadata?: { event_type?: string; event_payload?: Record<string, unknown> };
}

export interface WebApiState {
  teamId: string;
  botUserId: string;
  botId: string;
  socketUrl: () => string;
  nextTs: () => string;
  usergroups: FakeUserGroup[];
  users: Record<string, string>;
  messages: FakeSlackMessage[];
}

type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown>;

const truthy = (v: unknown): boolean => v === true || v === 'true' || v === '1';

function listed(m: FakeSlackMessage, s: WebApiState, withMetadata: boolean): Record<string, unknown> {
  return {
    type: 'message', user: s.botUserId, bot_id: s.botId, text: m.text, ts: m.ts,
    ...(m.thread_ts ? { thread_ts: m.thread_ts } : {}),
    ...(withMetadata && m.metadata ? { metadata: m.metadata } : {}),
  };
}

/** One page of `all` from the cursor (an offset), Slack's paging fields included. */
function page(all: FakeSlackMessage[], args: Args, s: WebApiState): MethodResult {
  const limit = Math.min(Math.max(Number(args.limit ?? 100) || 100, 1), 1000);
  const from = Number(args.cursor ?? 0) || 0;
  const slice = all.slice(from, from + limit);
  const more = from + limit < all.length;
  return {
    ok: true,
    messages: slice.map((m) => listed(m, s, truthy(args.include_all_metadata))),
    has_more: more,
    response_metadata: { next_cursor: more ? String(from + limit) : '' },
  };
}

function checkBlocks(args: Args): MethodResult | null {
  if (args.blocks === undefined) return null;
  const problems = blockLimitViolations(args.blocks);
  return problems.length ? { ok: false, error: 'invalid_blocks', response_metadata: { messages: problems.slice(0, 5) } } : null;
}

export function answer(method: string, args: Args, s: WebApiState): MethodResult {
  switch (method) {
    case 'auth.test':
      return { ok: true, url: 'https://fake.slack.com/', team: 'Fake', user: 'rdpbot', team_id: s.teamId, user_id: s.botUserId, bot_id: s.botId, is_enterprise_install: false };
    case 'apps.connections.open':
      return { ok: true, url: s.socketUrl() };
    case 'chat.postMessage': {
      if (!args.channel) return { ok: false, error: 'channel_not_found' };
      const bad = checkBlocks(args);
      if (bad) return bad;
      const ts = s.nextTs();
      const metadata = args.metadata && typeof args.metadata === 'object' ? (args.metadata as FakeSlackMessage['metadata']) : undefined;
      s.messages.push({ channel: String(args.channel), ts, text: String(args.text ?? ''), blocks: args.blocks, ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}), ...(metadata ? { metadata } : {}) });
      return { ok: true, channel: args.channel, ts, message: { type: 'message', text: args.text ?? '', user: s.botUserId, bot_id: s.botId, ts, ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) } };
    }
    case 'chat.update': {
      if (!args.channel || !args.ts) return { ok: false, error: 'message_not_found' };
      const bad = checkBlocks(args);
      if (bad) return bad;
      const held = s.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
      if (held) {
        held.text = String(args.text ?? '');
        held.blocks = args.blocks;
      }
      return { ok: true, channel: args.channel, ts: args.ts, text: args.text ?? '' };
    }
    case 'conversations.history': {
      if (!args.channel) return { ok: false, error: 'channel_not_found' };
      const top = s.messages.filter((m) => m.channel === args.channel && (!m.thread_ts || m.thread_ts === m.ts));
      return page([...top].reverse(), args, s);
    }
    case 'conversations.replies': {
      const parent = s.messages.find((m) => m.channel === args.channel && m.ts === args.ts);
      if (!parent) return { ok: false, error: 'thread_not_found' };
      const replies = s.messages.filter((m) => m.channel === args.channel && m.thread_ts === parent.ts && m.ts !== parent.ts);
      return page([parent, ...replies], args, s);
    }
    case 'chat.postEphemeral': {
      if (!args.channel || !args.user) return { ok: false, error: 'user_not_in_channel' };
      const bad = checkBlocks(args);
      if (bad) return bad;
      return { ok: true, message_ts: s.nextTs() };
    }
    case 'usergroups.list': {
      const withUsers = args.include_users === true || args.include_users === 'true';
      return { ok: true, usergroups: s.usergroups.map((g) => ({ id: g.id, handle: g.handle, name: g.handle, ...(withUsers ? { users: g.users } : {}) })) };
    }
    case 'users.info': {
      const id = String(args.user ?? '');
      const name = s.users[id];
      return name === undefined ? { ok: false, error: 'user_not_found' } : { ok: true, user: { id, name, profile: { display_name: name } } };
    }
    default:
      return { ok: false, error: 'unknown_method' };
  }
}
