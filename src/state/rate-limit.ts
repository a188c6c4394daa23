// Floods and repeats. Per-person command rate limit (typed text and clicks alike): a sliding one-minute
// log in a Redis sorted set, checked and updated by one Lua script against the server's clock (bots
// on several machines share one count). A refused command is not counted, so a user who waits gets
// back in exactly when the oldest expires; nor is a command handed back (giveBack) because it did
// not parse: a typo is answered with help and costs nothing. And firstWithin: a repeat of one event (a replayed
// request, a double click) is seen once across every bot process.
import { createHash, randomUUID } from 'node:crypto';
import { runLua, type LuaScript, type Redis } from './redis.ts';
import type { ChatUser } from '../chat/model.ts';
import type { Policy } from '../config/policy.ts';
import { accountOf, personOf } from '../policy/roles.ts';

/** `token` names the slot a command took, for giveBack. */
export type RateDecision = { allowed: true; remaining: number; token: string } | { allowed: false; retryAfterMs: number; reason: string };

const WINDOW_MS = 60_000;

/** KEYS[1] log; ARGV limit, windowMs, unique member. Returns {1, remaining} or {0, retryAfterMs}. */
const SLIDING_WINDOW: LuaScript = {
  name: 'rdpMedicRateLimit',
  numberOfKeys: 1,
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
if count >= limit then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return {0, tonumber(oldest[2]) + window - now}
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return {1, limit - count - 1}
`,
};

/**
 * Whose budget a command spends: the person policy.people names for the account (one person's
 * Slack and Discord accounts share one count), or the account itself.
 */
export function rateSubject(user: Pick<ChatUser, 'platform' | 'id'>, policy: Policy): string {
  const person = personOf(user, policy);
  return person === null ? accountOf(user) : `person:${person}`;
}

export const rateKey = (prefix: string, subject: string): string => `${prefix}:rate:${subject}`;

export async function takeCommand(redis: Redis, prefix: string, subject: string, commandsPerMinute: number): Promise<RateDecision> {
  const member = `${Date.now()}:${randomUUID()}`;
  const [ok, n] = (await runLua(redis, SLIDING_WINDOW, [rateKey(prefix, subject)], [commandsPerMinute, WINDOW_MS, member])) as [number, number];
  if (ok === 1) return { allowed: true, remaining: n, token: member };
  const retryAfterMs = Math.max(0, n);
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return { allowed: false, retryAfterMs, reason: `slow down: ${commandsPerMinute} commands a minute; try again in ${seconds} s` };
}

/** Returns the slot `takeCommand` took (a command that did not parse): it no longer counts. */
export async function giveBack(redis: Redis, prefix: string, subject: string, token: string): Promise<void> {
  await redis.zrem(rateKey(prefix, subject), token);
}

/**
 * True the first time `what` is seen within `ttlMs` (SET NX PX, shared by every bot process). `what`
 * may come from a platform: it is hashed, so its size and characters never reach a key as they are.
 */
export async function firstWithin(redis: Redis, prefix: string, kind: string, what: string, ttlMs: number): Promise<boolean> {
  const digest = createHash('sha256').update(what).digest('base64url');
  return (await redis.set(`${prefix}:seen:${kind}:${digest}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
}
