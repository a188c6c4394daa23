// `rdp-medic config check --connect`: whether what a valid configuration names can be reached with
// what it holds. Redis: PING and the start-up checks bot and workers run (state/redis-checks.ts).
// Each host: a WinRM connection through the same client the workers use (host/connect.ts), which
// authenticates and runs `hostname`, nothing else. Chat: the bot token against Slack's auth.test (and
// the app token against apps.connections.open in Socket Mode), Discord's GET /users/@me, at the
// configured apiUrl. Every step has a deadline; every result says what was tried and why it failed.
import type { DiscordSettings } from '../../adapters/discord/settings.ts';
import type { SlackSettings } from '../../adapters/slack/settings.ts';
import { findHost } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { connectHost } from '../../host/connect.ts';
import { errorText } from '../../lib/error-text.ts';
import { withTimeout } from '../../lib/with-timeout.ts';
import { connectRedis } from '../../state/connect.ts';
import { checkRedis } from '../../state/redis-checks.ts';
import { redactRedisUrl, redisOptions } from '../../state/redis.ts';

export interface ConnectResult {
  /** "redis", "host work-pc", "slack bot token"... */
  what: string;
  ok: boolean;
  /** What was found (ok) or why it failed, in plain words. */
  detail: string;
  warnings: string[];
}

const ms = (start: number): string => `${Math.round(performance.now() - start)} ms`;

export async function checkRedisConnection(config: Config, timeoutMs: number): Promise<ConnectResult> {
  const r = config.redis;
  const url = process.env['REDIS_URL'] || r.url;
  const sentinel = !!r.sentinels?.length;
  const where = sentinel ? `sentinel master "${r.name ?? process.env['REDIS_SENTINEL_NAME'] ?? 'mymaster'}"` : redactRedisUrl(redisOptions(url ? { url } : {}).url);
  const what = `redis ${where}`;
  const start = performance.now();
  let lastError = '';
  let redis;
  try {
    redis = await connectRedis(r, 'rdp-medic:config-check', undefined, { maxConnectAttempts: 1, connectTimeoutMs: timeoutMs });
  } catch (e) {
    return { what, ok: false, detail: errorText(e), warnings: [] };
  }
  // ioredis reports why a connection failed on 'error'; the rejected command only says "Connection is closed".
  redis.on('error', (e: Error) => (lastError = e.message));
  try {
    const pong = await withTimeout(redis.ping(), timeoutMs, 'PING');
    const replicas = r.confirmReplicas ?? (sentinel ? 1 : 0);
    const report = await withTimeout(checkRedis(redis, r, { expectTls: !!url && new URL(url).protocol === 'rediss:', sentinel, confirmReplicas: replicas }), timeoutMs, 'the Redis checks');
    if (report.problems.length) return { what, ok: false, detail: `reachable, but bot and workers would refuse it: ${report.problems.join('; ')}`, warnings: report.warnings };
    return { what, ok: true, detail: `${pong} in ${ms(start)}; persistence and eviction policy fit`, warnings: report.warnings };
  } catch (e) {
    return { what, ok: false, detail: `not reachable: ${lastError || errorText(e)}`, warnings: [] };
  } finally {
    await withTimeout(redis.quit(), 1_000, 'QUIT').catch(() => redis.disconnect());
  }
}

/** Authenticates to one host and runs `hostname`: proves the URL, the certificate, the credential and the WinRM service. */
export async function checkHostConnection(config: Config, id: string, timeoutMs: number): Promise<ConnectResult> {
  const what = `host ${id}`;
  const start = performance.now();
  const signal = AbortSignal.timeout(timeoutMs);
  let conn;
  try {
    const host = findHost(config, id);
    conn = await connectHost(host);
    const result = await withTimeout(conn.client.runOnce('hostname', [], { signal }), timeoutMs + 1_000, `WinRM to ${id}`);
    const name = result.stdoutBytes.toString('utf8').trim();
    const { winrm } = host.config;
    return { what, ok: true, detail: `${name || '(no name)'} answered over ${new URL(winrm.url).protocol === 'https:' ? 'HTTPS' : 'HTTP'} with ${winrm.auth} as ${host.credential.username} in ${ms(start)}`, warnings: [] };
  } catch (e) {
    // The client says "aborted by the caller"; the operator wants to know it was our deadline.
    return { what, ok: false, detail: signal.aborted ? `did not answer within ${timeoutMs} ms (--timeout): ${errorText(e)}` : errorText(e), warnings: [] };
  } finally {
    // close() waits for the command and deletes its shell: bounded, so a dead host cannot hold the report.
    if (conn) await withTimeout(conn.close(), 2_000, 'closing').catch(() => undefined);
  }
}

/** Runs `task` over `items`, at most `limit` at once, results in the order of `items`. */
export async function inPool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

async function getJson(url: string, init: RequestInit, timeoutMs: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // an HTML error page from a proxy: the status says enough
  }
  return { status: res.status, body };
}

const reason = (e: unknown, timeoutMs: number): string => ((e as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : errorText((e as { cause?: unknown }).cause ?? e));

async function slackCall(s: SlackSettings, method: string, token: string, timeoutMs: number): Promise<{ ok: boolean; body: Record<string, unknown>; detail: string }> {
  const url = new URL(method, s.apiUrl.endsWith('/') ? s.apiUrl : `${s.apiUrl}/`).toString();
  try {
    const { status, body } = await getJson(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' } }, timeoutMs);
    if (body['ok'] === true) return { ok: true, body, detail: '' };
    return { ok: false, body, detail: `Slack refused it (${method}: ${typeof body['error'] === 'string' ? body['error'] : `HTTP ${status}`})` };
  } catch (e) {
    return { ok: false, body: {}, detail: `${url} could not be reached: ${reason(e, timeoutMs)}` };
  }
}

export async function checkSlackTokens(s: SlackSettings, timeoutMs: number): Promise<ConnectResult[]> {
  const auth = await slackCall(s, 'auth.test', s.botToken, timeoutMs);
  const results: ConnectResult[] = [
    auth.ok
      ? { what: 'slack bot token (SLACK_BOT_TOKEN)', ok: true, detail: `bot user ${String(auth.body['user_id'])} in workspace ${String(auth.body['team'] ?? '')} (${String(auth.body['team_id'])})`, warnings: [] }
      : { what: 'slack bot token (SLACK_BOT_TOKEN)', ok: false, detail: auth.detail, warnings: [] },
  ];
  // Opening a Socket Mode URL proves the app-level token; nothing connects to the URL.
  if (s.mode === 'socket' && s.appToken) {
    const open = await slackCall(s, 'apps.connections.open', s.appToken, timeoutMs);
    results.push({ what: 'slack app token (SLACK_APP_TOKEN)', ok: open.ok, detail: open.ok ? 'Socket Mode may connect' : open.detail, warnings: [] });
  }
  return results;
}

export async function checkDiscordToken(s: DiscordSettings, timeoutMs: number): Promise<ConnectResult> {
  const what = 'discord bot token (DISCORD_TOKEN)';
  const url = `${s.apiUrl ?? 'https://discord.com/api'}/v10/users/@me`;
  try {
    const { status, body } = await getJson(url, { headers: { authorization: `Bot ${s.token}` } }, timeoutMs);
    if (status === 200) return { what, ok: true, detail: `bot ${String(body['username'] ?? '?')} (${String(body['id'] ?? '?')})`, warnings: [] };
    return { what, ok: false, detail: `Discord refused it (GET /users/@me: HTTP ${status}${typeof body['message'] === 'string' ? `, ${body['message']}` : ''})`, warnings: [] };
  } catch (e) {
    return { what, ok: false, detail: `${url} could not be reached: ${reason(e, timeoutMs)}`, warnings: [] };
  }
}
