// Discord failures as DeliveryErrors the deliver queue understands: rate limits carry retryAfterMs,
// missing access/permissions and unknown channels/messages are permanent, 5xx and network trouble
// are transient. A rate limit or a 4xx means Discord refused (`notSent`); after a timeout, a dropped
// connection or a 5xx the message may have been created. The library's errors carry request URLs, and interaction/webhook URLs contain the
// interaction token, so nothing of the original error (URL, body, cause) is passed on.
import { scrubText } from '../../lib/scrub.ts';
import { DiscordAPIError, HTTPError, RateLimitError } from 'discord.js';
import { DeliveryError } from '../../chat/adapter.ts';

/** Discord JSON error codes where retrying cannot help. */
export const PERMANENT_CODES: Record<number, string> = {
  10003: 'unknown channel',
  10008: 'unknown message',
  10015: 'unknown webhook (the interaction token expired)',
  10062: 'unknown interaction (it expired)',
  50001: 'missing access',
  50013: 'missing permissions',
  50035: 'invalid form body',
  160002: 'cannot reply without permission to read message history',
};

/** Interaction and webhook tokens in a URL or message replaced by "[token]" (the one scrubber does it). */
export const redactTokens = scrubText;

/** The route of a REST URL without query and tokens, for logs and messages ("PATCH /webhooks/1/[token]/messages/@original"). */
export function routeOf(method: string, url: string): string {
  let path = url;
  try {
    path = decodeURIComponent(new URL(url).pathname).replace(/^\/api\/v\d+/, '');
  } catch {
    // not a URL: keep what we have
  }
  return `${method.toUpperCase()} ${redactTokens(path)}`;
}

export function toDeliveryError(err: unknown, what: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof RateLimitError) {
    const wait = Math.max(err.retryAfter, err.timeToReset, 0);
    return new DeliveryError(`${what}: rate limited by Discord on ${routeOf(err.method, err.url)} (retry in ${wait} ms)`, { retryAfterMs: wait, notSent: true });
  }
  if (err instanceof DiscordAPIError) {
    const code = typeof err.code === 'number' ? err.code : Number.NaN;
    const known = PERMANENT_CODES[code];
    const where = routeOf(err.method, err.url);
    if (err.status === 429) {
      const raw = err.rawError as { retry_after?: unknown };
      const wait = typeof raw.retry_after === 'number' ? Math.ceil(raw.retry_after * 1000) : 1000;
      return new DeliveryError(`${what}: rate limited by Discord on ${where}`, { retryAfterMs: wait, notSent: true });
    }
    // 4xx other than timeouts: the request itself is wrong for this channel/message/token.
    const permanent = known !== undefined || (err.status >= 400 && err.status < 500 && err.status !== 408);
    const detail = known ?? redactTokens(String('message' in err.rawError ? err.rawError.message : err.message)).slice(0, 200);
    return new DeliveryError(`${what}: Discord refused ${where}: ${err.status} code ${String(err.code)} (${detail})`, { permanent, notSent: err.status < 500 && err.status !== 408 });
  }
  if (err instanceof HTTPError) {
    const refused = err.status >= 400 && err.status < 500 && err.status !== 408;
    return new DeliveryError(`${what}: Discord answered ${err.status} on ${routeOf(err.method, err.url)}; will retry`, { permanent: refused, notSent: refused });
  }
  const e = err as { name?: string; code?: string; message?: string };
  const reason = e.name === 'AbortError' || e.name === 'TimeoutError' ? 'the request timed out' : redactTokens(String(e.code ?? e.message ?? err)).slice(0, 200);
  return new DeliveryError(`${what}: cannot reach Discord (${reason}); will retry`);
}

/** Why login failed, for the operator: a start-up failure is not retried, so it never says "will retry". */
export function loginFailure(err: unknown): string {
  const e = err as { code?: unknown; status?: unknown };
  if (e.code === 'TokenInvalid' || e.status === 401) return 'Discord rejected the bot token (TokenInvalid); check discord.token / DISCORD_TOKEN (Developer Portal > Bot > Reset Token)';
  const reason = toDeliveryError(err, 'login').message.replace(/; will retry$/, '');
  return `cannot connect to Discord: ${reason}`;
}
