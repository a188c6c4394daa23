// Web API failures as DeliveryErrors the deliver queue understands: 429 -> retry after Slack's
// Retry-After; a platform error that retrying cannot fix (channel gone, bad blocks) -> permanent;
// network errors, timeouts and 5xx -> transient. Whenever Slack answered with a refusal (an error
// code, a 429, a 4xx) nothing was posted (`notSent`); after a timeout, a dropped connection or a
// gateway's 5xx the message may be there. Messages name the method and Slack's error code, never the
// request (which carries the token).
import { errorText } from '../../lib/error-text.ts';
import { webApi } from '@slack/bolt';
import { DeliveryError } from '../../chat/adapter.ts';

/** Platform errors that are worth retrying (Slack's side, not our request). */
const TRANSIENT_PLATFORM = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_is_limited']);

/** Used when Slack answers 429 without a usable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 30_000;

export function toDeliveryError(e: unknown, method: string, redact: (s: string) => string = (s) => s): DeliveryError {
  if (e instanceof DeliveryError) return e;
  if (e instanceof webApi.WebAPIRateLimitedError) {
    return new DeliveryError(`Slack ${method}: rate limited, retry after ${e.retryAfter}s`, { retryAfterMs: Math.max(0, e.retryAfter) * 1000, notSent: true });
  }
  if (e instanceof webApi.WebAPIPlatformError) {
    const code = String(e.data.error);
    if (code === 'ratelimited') return new DeliveryError(`Slack ${method}: ratelimited`, { retryAfterMs: DEFAULT_RETRY_AFTER_MS, notSent: true });
    const detail = Array.isArray(e.data.response_metadata?.messages) ? `: ${e.data.response_metadata.messages.slice(0, 3).join('; ')}` : '';
    return new DeliveryError(redact(`Slack ${method}: ${code}${detail}`), { permanent: !TRANSIENT_PLATFORM.has(code), notSent: true });
  }
  if (e instanceof webApi.WebAPIHTTPError) {
    // Slack's API uses 200 for everything it understood; other statuses are gateways and outages.
    const permanent = e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 408 && e.statusCode !== 429;
    return new DeliveryError(`Slack ${method}: HTTP ${e.statusCode}`, { permanent, notSent: e.statusCode >= 400 && e.statusCode < 500 && e.statusCode !== 408 });
  }
  if (e instanceof webApi.WebAPIRequestError) {
    return new DeliveryError(redact(`Slack ${method}: request failed (${e.original?.name ?? 'Error'}: ${e.original?.message ?? 'unknown'})`));
  }
  const message = errorText(e);
  // The client's own 429 without a valid Retry-After ends up here.
  if (/rate limit/i.test(message)) return new DeliveryError(`Slack ${method}: rate limited`, { retryAfterMs: DEFAULT_RETRY_AFTER_MS, notSent: true });
  return new DeliveryError(redact(`Slack ${method}: ${message}`));
}
