// The fake's Web API methods: what each answers on success, given the recorded arguments.
import { blockLimitViolations } from './block-limits.ts';

export interface FakeUserGroup {
  id: string;
  handle: string;
  users: string[];
}

export interface WebApiState {
  teamId: string;
  botUserId: string;
  botId: string;
  socketUrl: () => string;
  nextTs: () => string;
  usergroups: FakeUserGroup[];
  users: Record<string, string>;
}

type Args = Record<string, unknown>;
export type MethodResult = Record<string, unknown>;

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
      return { ok: true, channel: args.channel, ts, message: { type: 'message', text: args.text ?? '', user: s.botUserId, bot_id: s.botId, ts, ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) } };
    }
    case 'chat.update': {
      if (!args.channel || !args.ts) return { ok: false, error: 'message_not_found' };
      const bad = checkBlocks(args);
      if (bad) return bad;
      return { ok: true, channel: args.channel, ts: args.ts, text: args.text ?? '' };
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
