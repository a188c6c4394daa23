// docker-compose.yml as production runs it (the checks beside test/ops/compose.test.ts): the bot gets
// every environment variable the chat settings and Redis read, the worker every host password the
// example configuration names, the Slack HTTP-mode port is published, no bind mount names a file
// that may be missing (Docker would create a directory in its place), every variable is in
// docs/production.md, and the image runs a supported Node LTS.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse } from 'yaml';
import { ENV_OVERRIDES } from '../../src/adapters/discord/settings.ts';
import { loadSlackSettings, SLACK_ENV } from '../../src/adapters/slack/settings.ts';
import { EXAMPLE, uncommented } from './example-config-text.ts';

const root = (file: string): string => fileURLToPath(new URL(`../../${file}`, import.meta.url));

interface Service {
  environment?: string[];
  ports?: string[];
  volumes?: string[];
}
const compose = parse(readFileSync(root('docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const bot = compose.services['bot']!;
const worker = compose.services['worker']!;

/** Variable names a service passes ("NAME" or "NAME=value"). */
const passed = (s: Service): Set<string> => new Set((s.environment ?? []).map((e) => e.split('=')[0]!));

/** Every { env: NAME } in the example, switched-off options included, by where it is (both readings: a switched-on alternative replaces a key). */
function exampleEnvRefs(): { path: string; name: string }[] {
  const out: { path: string; name: string }[] = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x, path));
    else if (v && typeof v === 'object') {
      if ('env' in v && typeof v.env === 'string') out.push({ path, name: v.env });
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    }
  };
  const text = readFileSync(EXAMPLE, 'utf8');
  walk(parse(text), '');
  walk(parse(uncommented(text), { uniqueKeys: false }), '');
  return out;
}

const unique = (names: string[]): string[] => [...new Set(names)];
const REDIS_ENV = unique(['REDIS_URL', 'REDIS_SENTINEL_NAME', ...exampleEnvRefs().filter((r) => r.path.startsWith('redis.')).map((r) => r.name)]);
const PROCESS_ENV = ['RDP_MEDIC_OPS_PORT', 'LOG_LEVEL'];
const CHAT_ENV = [...Object.values(SLACK_ENV), ...Object.keys(ENV_OVERRIDES)];
const HOST_ENV = unique(exampleEnvRefs().filter((r) => r.path.startsWith('credentials.')).map((r) => r.name));

test('the bot gets every variable the Slack and Discord settings, Redis and the process read', () => {
  assert.ok(CHAT_ENV.includes('SLACK_PORT') && CHAT_ENV.includes('SLACK_ONCALL_GROUP_ID') && CHAT_ENV.includes('DISCORD_ONCALL_ROLE_ID'), CHAT_ENV.join(', '));
  assert.ok(REDIS_ENV.includes('REDIS_PASSWORD'), REDIS_ENV.join(', '));
  const missing = [...CHAT_ENV, ...REDIS_ENV, ...PROCESS_ENV].filter((name) => !passed(bot).has(name));
  assert.deepEqual(missing, [], `docker-compose.yml: the bot is not passed ${missing.join(', ')}`);
});

test("the worker gets Redis's variables and every host password the example names, and no chat token", () => {
  assert.ok(HOST_ENV.length >= 2, HOST_ENV.join(', '));
  const missing = [...HOST_ENV, ...REDIS_ENV, ...PROCESS_ENV].filter((name) => !passed(worker).has(name));
  assert.deepEqual(missing, [], `docker-compose.yml: the worker is not passed ${missing.join(', ')}`);
  const chat = CHAT_ENV.filter((name) => passed(worker).has(name));
  assert.deepEqual(chat, [], 'chat credentials stay with the bot');
});

test("the Slack HTTP-mode port is published, on the port the bot listens on (SLACK_PORT, default slack.port's)", () => {
  const slackDefault = loadSlackSettings({}, { SLACK_BOT_TOKEN: 'xoxb-x', SLACK_APP_TOKEN: 'xapp-x' }).port;
  assert.ok(bot.environment?.includes(`SLACK_PORT=\${SLACK_PORT:-${slackDefault}}`), 'the bot listens on SLACK_PORT, with the same default');
  // "[ip:]host:container", where a port may be ${VAR:-default}.
  const published = (bot.ports ?? []).map((p) => /^(?:[\d.]+:)?(\$\{[^}]+\}|\d+):(\$\{[^}]+\}|\d+)$/.exec(p)?.slice(1) ?? []);
  assert.ok(published.some(([host, container]) => host === `\${SLACK_PORT:-${slackDefault}}` && container === host), `ports: ${JSON.stringify(bot.ports)}`);
});

test('every bind-mounted file exists by default (Docker would create a directory in its place)', () => {
  const sources = Object.values(compose.services)
    .flatMap((s) => s.volumes ?? [])
    .map((v) => /^(\$\{[^}]+\}|[^:]+):/.exec(v)?.[1] ?? v)
    // ${VAR:-default}: what a fresh checkout mounts.
    .map((src) => src.replace(/^\$\{[A-Z_]+:-([^}]+)\}$/, '$1'))
    .filter((src) => src.startsWith('.') || src.startsWith('/'));
  assert.ok(sources.length >= 2, `bind mounts: ${sources.join(', ')}`);
  for (const src of sources) {
    assert.ok(src.startsWith('./'), `${src}: relative to the compose file`);
    assert.ok(existsSync(root(src)) && statSync(root(src)).isFile(), `${src} is a file in the repository`);
  }
});

test('docs/production.md names every variable docker-compose.yml passes', () => {
  const doc = readFileSync(root('docs/production.md'), 'utf8');
  const names = new Set([...passed(bot), ...passed(worker), 'RDP_MEDIC_CONFIG_FILE']);
  const undocumented = [...names].filter((n) => !doc.includes(n));
  assert.deepEqual(undocumented, [], `not in docs/production.md: ${undocumented.join(', ')}`);
});

test('the image runs Node 22 or later, a version package.json `engines` lists', () => {
  const froms = [...readFileSync(root('Dockerfile'), 'utf8').matchAll(/^FROM node:(\d+)/gm)].map((m) => Number(m[1]));
  assert.ok(froms.length >= 2, 'both stages use the node image');
  const engines = (JSON.parse(readFileSync(root('package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
  const majors = [...engines.matchAll(/\^(\d+)\./g)].map((m) => Number(m[1]));
  for (const major of froms) {
    assert.ok(major >= 22, `node:${major}: Node 20 reached its end of life`);
    assert.ok(majors.includes(major), `engines "${engines}" lists node ${major}`);
  }
});
