// The approval transitions, each one Lua script: read state, check expiry against the server's
// TIME (so bot and worker clocks cannot disagree), write the new state, all atomically. Redis runs
// one script at a time, so of fifty simultaneous approvals exactly one sees "pending".
//
// KEYS[1] the record hash, KEYS[2] the pending index (sorted set by expiry);
// ARGV[1] the approval id, ARGV[2] how long finished records are kept (ms), ARGV[3..] per script.
// Every script replies {status, serverNowMs, HGETALL}; status is ok | refused | missing | exists |
// foreign (the record carries another format version: this version neither reads nor moves it).
import type { LuaScript } from '../redis.ts';
import { APPROVAL_FORMAT } from './record.ts';

const PRELUDE = `
local rec, index, id = KEYS[1], KEYS[2], ARGV[1]
local retain = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
-- Times as integer strings: a bare Lua number may be written in exponent form.
local function int(x) return string.format('%d', x) end
local function reply(status) return {status, int(now), redis.call('HGETALL', rec)} end
local FORMAT = '${APPROVAL_FORMAT}'
`;

/** Loads the state; a pending record past its expiry becomes expired here, whoever touches it first. */
const LOAD = `
if redis.call('EXISTS', rec) == 0 then return {'missing', int(now), {}} end
local v = redis.call('HGET', rec, 'v')
if v and v ~= FORMAT then return reply('foreign') end
local state = redis.call('HGET', rec, 'state')
local expired_now = false
if state == 'pending' and tonumber(redis.call('HGET', rec, 'expiresAt')) <= now then
  redis.call('HSET', rec, 'state', 'expired')
  redis.call('ZREM', index, id)
  redis.call('PEXPIRE', rec, int(retain))
  state = 'expired'
  expired_now = true
end
`;

const script = (name: string, body: string): LuaScript => ({ name, numberOfKeys: 2, lua: PRELUDE + body });

/** ARGV[3] ttl ms, ARGV[4..] request fields. */
export const CREATE = script(
  'rdpMedicApprovalCreate',
  `
if redis.call('EXISTS', rec) == 1 then return reply('exists') end
local ttl = tonumber(ARGV[3])
redis.call('HSET', rec, 'v', FORMAT, 'id', id, 'state', 'pending', 'createdAt', int(now), 'expiresAt', int(now + ttl), unpack(ARGV, 4))
redis.call('PEXPIRE', rec, int(ttl + retain))
redis.call('ZADD', index, int(now + ttl), id)
return reply('ok')
`,
);

/** ARGV[3] the approver (ChatUser JSON). pending -> approved. */
export const APPROVE = script(
  'rdpMedicApprovalApprove',
  `${LOAD}
if state ~= 'pending' then return reply('refused') end
redis.call('HSET', rec, 'state', 'approved', 'decidedBy', ARGV[3], 'decidedAt', int(now))
redis.call('ZREM', index, id)
redis.call('PERSIST', rec)
return reply('ok')
`,
);

/** ARGV[3] who rejects (ChatUser JSON). pending -> rejected. */
export const REJECT = script(
  'rdpMedicApprovalReject',
  `${LOAD}
if state ~= 'pending' then return reply('refused') end
redis.call('HSET', rec, 'state', 'rejected', 'decidedBy', ARGV[3], 'decidedAt', int(now))
redis.call('ZREM', index, id)
redis.call('PEXPIRE', rec, int(retain))
return reply('ok')
`,
);

/** ARGV[3] the runner (fix job id). approved -> running, once. */
export const START = script(
  'rdpMedicApprovalStart',
  `${LOAD}
if state ~= 'approved' then return reply('refused') end
redis.call('HSET', rec, 'state', 'running', 'runner', ARGV[3], 'startedAt', int(now))
return reply('ok')
`,
);

/** ARGV[3] done|failed, ARGV[4] result JSON. running -> done|failed. */
export const FINISH = script(
  'rdpMedicApprovalFinish',
  `${LOAD}
if state ~= 'running' then return reply('refused') end
redis.call('HSET', rec, 'state', ARGV[3], 'finishedAt', int(now), 'result', ARGV[4])
redis.call('PEXPIRE', rec, int(retain))
return reply('ok')
`,
);

/** pending past expiry -> expired; ok only for the call that expired it. */
export const EXPIRE = script(
  'rdpMedicApprovalExpire',
  `${LOAD}
if expired_now then return reply('ok') end
if state ~= 'pending' then redis.call('ZREM', index, id) end
return reply('refused')
`,
);
