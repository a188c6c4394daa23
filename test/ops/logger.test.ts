// The ops logger: JSON lines, levels, and no secret ever in the output, whether it arrives as a
// field, nested field, child binding, message, error message or error stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { childLogger, createLogger } from '../../src/ops/logger.ts';

const SLACK_BOT = 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx';
const SLACK_APP = 'xapp-1-A0123456789-1234567890123-abcdef0123456789abcdef0123456789';
const DISCORD = 'MTEyMzQ1Njc4OTAxMjM0NTY3OA.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB';
const BEARER_VALUE = 'eyJhbGciOiJIUzI1NiJ9abcdefghijklmnop';
const SIGNING = '8f14e45fceea167a5a36dedd4bea2543';
const PASSWORD = 'Tr0ub4dor&3-lab';
const ALL = [SLACK_BOT, SLACK_APP, DISCORD, BEARER_VALUE, SIGNING, PASSWORD];

function capture(level = 'trace'): { log: ReturnType<typeof createLogger>; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger({ name: 'test', level, destination });
  const text = (): string => chunks.join('');
  return { log, text, lines: () => text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function assertNoSecrets(text: string): void {
  for (const s of ALL) assert.ok(!text.includes(s), `secret leaked: ${s.slice(0, 8)}… in ${text}`);
}

test('writes one JSON line per entry with name, level and message', () => {
  const { log, lines } = capture('info');
  log.info({ host: 'work-pc' }, 'diagnosis started');
  log.debug('not at info');
  const [line, ...rest] = lines();
  assert.equal(rest.length, 0);
  assert.equal(line?.name, 'test');
  assert.equal(line?.level, 30);
  assert.equal(line?.msg, 'diagnosis started');
  assert.equal(line?.host, 'work-pc');
});

test('the level comes from LOG_LEVEL when not given', () => {
  const before = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = 'warn';
  try {
    assert.equal(createLogger({ name: 'x', destination: new Writable({ write: (_c, _e, d) => d() }) }).level, 'warn');
  } finally {
    if (before === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = before;
  }
  assert.equal(createLogger({ name: 'x', level: 'error', destination: new Writable({ write: (_c, _e, d) => d() }) }).level, 'error');
});

test('secret fields are censored at the top level, nested, deep and in arrays', () => {
  const { log, lines, text } = capture();
  log.info(
    {
      password: PASSWORD,
      token: SLACK_BOT,
      slack: { botToken: SLACK_BOT, appToken: SLACK_APP, signingSecret: SIGNING, channel: 'C123' },
      discord: { token: DISCORD },
      headers: { authorization: `Bearer ${BEARER_VALUE}`, accept: 'application/json' },
      config: { credentials: { 'lab-admin': { username: 'Administrator', password: { value: PASSWORD } } } },
      a: { b: { c: { d: { clientSecret: SIGNING } } } },
      list: [{ password: PASSWORD }],
    },
    'settings',
  );
  assertNoSecrets(text());
  const line = lines()[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(line.password, '[redacted]');
  assert.equal(line.token, '[redacted]');
  assert.equal(line.slack.botToken, '[redacted]');
  assert.equal(line.slack.channel, 'C123', 'ordinary fields stay');
  assert.equal(line.headers.authorization, '[redacted]');
  assert.equal(line.headers.accept, 'application/json');
  assert.equal(line.config.credentials, '[redacted]');
  assert.equal(line.a.b.c.d.clientSecret, '[redacted]');
  assert.equal(line.list[0].password, '[redacted]');
});

test('secret-looking values in ordinary fields and in messages are scrubbed', () => {
  const { log, lines, text } = capture();
  log.warn({ url: `redis://:${PASSWORD}@redis:6379/0`, note: `got ${SLACK_APP}` }, `slack said invalid_auth for ${SLACK_BOT}`);
  log.info(`discord login with ${DISCORD} failed; header was Bearer ${BEARER_VALUE}`);
  log.info('interpolated %s and %o', SLACK_BOT, { nested: SLACK_APP });
  assertNoSecrets(text());
  const [first, second] = lines();
  assert.equal(first?.url, 'redis://:[redacted]@redis:6379/0');
  assert.match(String(first?.msg), /^slack said invalid_auth for xox\?-\[redacted\]$/);
  assert.match(String(second?.msg), /^discord login with \[redacted\] failed; header was Bearer \[redacted\]$/);
});

test('errors: message, stack, cause and own properties are scrubbed, type kept', () => {
  const { log, lines, text } = capture();
  const err = Object.assign(new Error(`An API error occurred: not_authed (token ${SLACK_BOT})`), {
    code: 'slack_webapi_platform_error',
    token: SLACK_BOT,
    data: { headers: { authorization: `Bot ${DISCORD}` } },
  });
  err.cause = new Error(`gateway rejected ${DISCORD}`);
  log.error({ err }, 'delivery failed');
  log.error(err); // msg defaults to the error's message
  log.error({ error: new TypeError(`bad ${SLACK_APP}`) }, 'other key');
  assertNoSecrets(text());
  const [a, b, c] = lines() as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(a?.err.type, 'Error');
  assert.equal(a?.err.code, 'slack_webapi_platform_error');
  assert.equal(a?.err.token, '[redacted]');
  assert.match(a?.err.message, /not_authed \(token xox\?-\[redacted\]\)/);
  assert.match(a?.err.stack, /^Error: An API error occurred/);
  assert.match(b?.msg, /not_authed/);
  assert.equal(c?.error.type, 'TypeError');
});

test('child bindings are scrubbed too', () => {
  const { log, lines, text } = capture();
  const child = childLogger(log, { component: 'deliver', token: SLACK_BOT, peer: `https://user:${PASSWORD}@proxy.example:8080` });
  child.info({ grandchild: true }, 'hello');
  assertNoSecrets(text());
  assert.equal(lines()[0]?.component, 'deliver');
});

test('cyclic objects do not hang the logger', () => {
  const { log, lines } = capture();
  const a: Record<string, unknown> = { name: 'a' };
  a.self = a;
  const shared = { x: 1 };
  log.info({ a, pair: [shared, shared] }, 'cycle');
  const line = lines()[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(line.a.self, '[Circular]');
  assert.deepEqual(line.pair, [{ x: 1 }, { x: 1 }], 'a repeated reference is not a cycle');
});
