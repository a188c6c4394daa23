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
  /** Files shared with the message (files.completeUploadExternal). */
  files?: FakeSlackFile[];
}

/** A file as files.getUploadURLExternal announced it and the upload URL received it. */
export interface FakeSlackFile {
  id: string;
  filename: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  title?: string;
  /** The bytes POSTed to the upload URL; undefined until then. */
  bytes?: Buffer;
  /** Set once files.completeUploadExternal shared it. */
  completed?: boolean;
}

/** Slack's own bound on an upload (1 GB); the fake refuses more, as Slack does. */
export const SLACK_MAX_FILE_BYTES = 1024 * 1024 * 1024;

export interface WebApiState {
  teamId: string;
  botUserId: string;
  botId: string;
  socketUrl: () => string;
  nextTs: () => string;
  usergroups: FakeUserGroup[];
  users: Record<string, string>;
  messages: FakeSlackMessage[];
  /** Files announced by files.getUploadURLExternal, by id. */
  files: Map<string, FakeSlackFile>;
  uploadUrl: (fileId: string) => string;
  nextFileId: () => string;
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
    case 'files.getUploadURLExternal': {
      const length = Number(args.length);
      if (!args.filename || !Number.isInteger(length) || length < 1) return { ok: false, error: 'invalid_arguments' };
      if (length > SLACK_MAX_FILE_BYTES) return { ok: false, error: 'file_too_large' };
      const id = s.nextFileId();
      s.files.set(id, { id, filename: String(args.filename), length });
      return { ok: true, upload_url: s.uploadUrl(id), file_id: id };
    }
    case 'files.completeUploadExternal': {
      let list: { id?: string; title?: string }[];
      try {
        list = (typeof args.files === 'string' ? JSON.parse(args.files) : args.files) as { id?: string; title?: string }[];
      } catch {
        return { ok: false, error: 'invalid_arguments' };
      }
      if (!Array.isArray(list) || !list.length) return { ok: false, error: 'invalid_arguments' };
      const files: FakeSlackFile[] = [];
      for (const f of list) {
        const held = f.id ? s.files.get(f.id) : undefined;
        // Slack completes only files whose bytes arrived, all of them.
        if (!held?.bytes || held.bytes.length !== held.length || held.completed) return { ok: false, error: 'file_not_found' };
        files.push(held);
      }
      for (const f of files) {
        f.completed = true;
        f.title = list.find((x) => x.id === f.id)?.title ?? f.filename;
      }
      if (args.channel_id) {
        const ts = s.nextTs();
        s.messages.push({ channel: String(args.channel_id), ts, text: String(args.initial_comment ?? ''), files, ...(args.thread_ts ? { thread_ts: String(args.thread_ts) } : {}) });
      }
      return { ok: true, files: files.map((f) => ({ id: f.id, name: f.filename, title: f.title, size: f.length })) };
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
