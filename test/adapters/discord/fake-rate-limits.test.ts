// The fake Discord's rate limits, as Discord publishes them (test/fakes/discord/rate-limits.ts): route
// buckets per top-level resource told in X-RateLimit-* headers, a 429 past them, a global limit for
// the bot token to which interaction webhooks are not bound. Raw HTTP: what a client reads.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FakeDiscord, IDS, slashInteraction, type RateLimitTable } from '../../fakes/discord/index.ts';

// Small numbers so the test needs no waiting: 2 messages per channel per minute, 4 requests a second.
const TABLE: RateLimitTable = {
  globalPerSecond: 4,
  rules: [
    { bucket: 'msgs', routes: ['POST /channels/:x/messages'], limit: 2, windowMs: 60_000 },
    { bucket: 'hook', routes: ['PATCH /webhooks/:x/:x/messages/:x'], limit: 10, windowMs: 60_000 },
  ],
  fallback: { limit: 100, windowMs: 60_000 },
};

let fake: FakeDiscord;
before(async () => {
  fake = await FakeDiscord.start({ rateLimits: TABLE });
});
after(async () => {
  await fake?.close();
});

const bot = (path: string, method = 'GET', body?: unknown): Promise<Response> =>
  fetch(`${fake.apiUrl}/v10${path}`, { method, headers: { authorization: `Bot ${fake.token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });

describe('fake Discord rate limits', () => {
  test('a route bucket per channel: headers on every answer, 429 past the limit, another channel unaffected; then the global limit', async () => {
    const first = await bot(`/channels/${IDS.channel}/messages`, 'POST', { content: 'one' });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('x-ratelimit-limit'), '2');
    assert.equal(first.headers.get('x-ratelimit-remaining'), '1');
    assert.equal(first.headers.get('x-ratelimit-bucket'), 'msgs');
    assert.ok(Number(first.headers.get('x-ratelimit-reset-after')) > 0);
    assert.equal((await bot(`/channels/${IDS.channel}/messages`, 'POST', { content: 'two' })).status, 200);
    const third = await bot(`/channels/${IDS.channel}/messages`, 'POST', { content: 'three' });
    assert.equal(third.status, 429);
    assert.equal(third.headers.get('x-ratelimit-scope'), 'user');
    assert.equal(third.headers.get('x-ratelimit-remaining'), '0');
    const body = (await third.json()) as { retry_after: number; global: boolean };
    assert.equal(body.global, false);
    assert.ok(body.retry_after > 0 && body.retry_after <= 60);
    assert.equal([...fake.world.messages.values()].filter((m) => m.content === 'three').length, 0, 'a refused request changes nothing');
    // Another channel is another bucket (the top-level resource), but the global second is spent:
    // 3 of 4 requests went out with the bot token (a 429 from a route bucket is not counted).
    assert.equal((await bot(`/channels/${IDS.otherChannel}/messages`, 'POST', { content: 'other' })).status, 200);
    const global = await bot(`/channels/${IDS.otherChannel}`);
    // The 4th request of this second may have slipped into a new second on a slow machine; the one
    // after a full second's worth must be refused in the same second, so count instead of timing.
    const statuses = [global.status];
    for (let i = 0; i < 5 && !statuses.includes(429); i++) statuses.push((await bot(`/channels/${IDS.otherChannel}`)).status);
    assert.ok(statuses.includes(429), `the global limit refuses: ${statuses.join(', ')}`);
    assert.ok((fake.limiter?.rejected.global ?? 0) >= 1);
  });

  test('interaction webhooks are not bound to the global limit (no bot token), only to their own bucket', async () => {
    // An interaction as the fake holds it once sent (no gateway client here), acknowledged by hand.
    const payload = slashInteraction({ subcommand: 'check', options: { host: 'work-pc' } });
    const i = { id: String(payload.id), token: String(payload.token), type: 2, channelId: IDS.channel, payload, sentAt: performance.now() };
    fake.world.interactions.set(i.id, i);
    assert.equal((await fetch(`${fake.apiUrl}/v10/interactions/${i.id}/${i.token}/callback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 5 }) })).status, 204);
    // Spend the bot's global second.
    for (let n = 0; n < 5; n++) await bot(`/channels/${IDS.otherChannel}`);
    const statuses: number[] = [];
    for (let n = 0; n < 6; n++) {
      const r = await fetch(`${fake.apiUrl}/v10/webhooks/${IDS.application}/${i.token}/messages/@original`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ content: `edit ${n}` }) });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 200]);
  });
});
