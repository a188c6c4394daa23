// Discord's rate limits as the fake enforces them (opt-in: FakeDiscord.start({ rateLimits })).
// What Discord publishes (docs/topics/rate-limits): per-route buckets keyed by the route and its
// top-level resource (channel, guild, or webhook id + token), told in X-RateLimit-Limit, -Remaining,
// -Reset, -Reset-After and -Bucket on every answer; a 429 with retry_after, Retry-After and
// X-RateLimit-Scope when one is exceeded; a global 50 requests/s per bot (X-RateLimit-Global), to
// which interaction endpoints (callbacks, and the webhook routes an interaction token opens) are
// not bound. The size of each route's bucket is not published ("parse the headers"); the table
// below holds the commonly observed ones, and a route not in it gets DEFAULT_BUCKET.
import type { RestReply } from './rest.ts';

export interface BucketRule {
  /** What the X-RateLimit-Bucket header says (stands for Discord's opaque hash). */
  bucket: string;
  /** `METHOD /route/:x/...` templates (ids as :x) this bucket holds. */
  routes: string[];
  limit: number;
  windowMs: number;
}

export interface RateLimitTable {
  globalPerSecond: number;
  rules: BucketRule[];
  /** For a route not in `rules`. */
  fallback: Omit<BucketRule, 'routes' | 'bucket'>;
}

export const DISCORD_RATE_LIMITS: RateLimitTable = {
  globalPerSecond: 50,
  rules: [
    // "5 messages per 5 seconds per channel": the best known of Discord's route limits.
    { bucket: 'channel-messages-create', routes: ['POST /channels/:x/messages'], limit: 5, windowMs: 5_000 },
    { bucket: 'channel-messages-edit', routes: ['PATCH /channels/:x/messages/:x'], limit: 5, windowMs: 5_000 },
    // An interaction token's webhook: its response, follow-ups and their edits.
    { bucket: 'interaction-webhook', routes: ['PATCH /webhooks/:x/:x/messages/:x', 'DELETE /webhooks/:x/:x/messages/:x', 'POST /webhooks/:x/:x', 'GET /webhooks/:x/:x/messages/:x'], limit: 5, windowMs: 2_000 },
  ],
  fallback: { limit: 50, windowMs: 1_000 },
};

interface Window {
  count: number;
  resetAt: number;
}

export interface LimitedRequest {
  method: string;
  /** Path after /api/v10. */
  path: string;
  authorization: string | undefined;
}

/** Counts requests per bucket and globally; says what to answer. */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();
  private global: Window = { count: 0, resetAt: 0 };
  /** 429s answered, by scope. */
  readonly rejected = { route: 0, global: 0 };

  constructor(
    private readonly table: RateLimitTable,
    private readonly now: () => number = Date.now,
  ) {}

  /** A 429 to answer instead, or the headers to add to the answer. */
  admit(req: LimitedRequest): { reject: RestReply } | { headers: Record<string, string> } {
    const parts = req.path.split('/').filter(Boolean);
    // Interaction callbacks: no route bucket worth modelling, never global.
    if (parts[0] === 'interactions') return { headers: {} };
    const isWebhook = parts[0] === 'webhooks';
    const template = `${req.method} /${parts.map((p, i) => (/^\d+$/.test(p) || (isWebhook && i === 2) ? ':x' : p)).join('/')}`;
    const rule = this.table.rules.find((r) => r.routes.includes(template));
    const bucket = rule?.bucket ?? `route ${template}`;
    const limit = rule?.limit ?? this.table.fallback.limit;
    const windowMs = rule?.windowMs ?? this.table.fallback.windowMs;
    // The top-level resource: a channel or guild id, or a webhook's id and token.
    const major = isWebhook ? parts.slice(1, 3).join('/') : ['channels', 'guilds'].includes(parts[0] ?? '') ? (parts[1] ?? '') : '';
    const t = this.now();

    // Interaction webhooks are not bound to the global limit; everything sent with the bot token is.
    const interactionWebhook = isWebhook && req.authorization === undefined;
    if (!interactionWebhook) {
      if (t >= this.global.resetAt) this.global = { count: 0, resetAt: t + 1_000 };
      if (this.global.count >= this.table.globalPerSecond) {
        this.rejected.global++;
        return { reject: tooMany((this.global.resetAt - t) / 1000, { 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' }, true) };
      }
    }
    const key = `${bucket} ${major}`;
    let w = this.windows.get(key);
    if (!w || t >= w.resetAt) {
      w = { count: 0, resetAt: t + windowMs };
      this.windows.set(key, w);
    }
    const resetAfter = (w.resetAt - t) / 1000;
    const headers = {
      'x-ratelimit-limit': String(limit),
      'x-ratelimit-reset': ((w.resetAt) / 1000).toFixed(3),
      'x-ratelimit-reset-after': resetAfter.toFixed(3),
      'x-ratelimit-bucket': bucket,
    };
    if (w.count >= limit) {
      this.rejected.route++;
      return { reject: tooMany(resetAfter, { ...headers, 'x-ratelimit-remaining': '0', 'x-ratelimit-scope': 'user' }, false) };
    }
    w.count++;
    if (!interactionWebhook) this.global.count++;
    return { headers: { ...headers, 'x-ratelimit-remaining': String(limit - w.count) } };
  }
}

function tooMany(retryAfterSec: number, headers: Record<string, string>, global: boolean): RestReply {
  const after = Math.max(0.001, retryAfterSec);
  return {
    status: 429,
    body: { message: 'You are being rate limited.', retry_after: Number(after.toFixed(3)), global },
    headers: { ...headers, 'retry-after': String(Math.ceil(after)) },
  };
}
