// docker-compose.yml and the Dockerfile, checked without a Docker engine: every rdp-medic service
// runs a command the CLI really has, Redis keeps its data (AOF) and reports health, workers can be
// scaled, and the image does not run as root. (.ci/run also runs `docker-compose config -q`.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { parse } from 'yaml';
import { commands } from '../../src/commands/index.ts';

const root = (file: string): string => fileURLToPath(new URL(`../../${file}`, import.meta.url));

interface Service {
  image?: string;
  build?: unknown;
  command?: string | string[];
  container_name?: string;
  ports?: unknown[];
  profiles?: string[];
  healthcheck?: { test?: string | string[] };
}

const compose = parse(readFileSync(root('docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };
const services = Object.entries(compose.services);
const ours = services.filter(([, s]) => s.build !== undefined || /^rdp-medic(:|$)/.test(s.image ?? ''));

/** The CLI's command names, from the same registry src/cli.ts builds its program with. */
function cliCommands(): string[] {
  const program = new Command('rdp-medic');
  for (const register of commands) register(program);
  return program.commands.map((c) => c.name());
}

const words = (command: string | string[] | undefined): string[] =>
  command === undefined ? [] : Array.isArray(command) ? command : command.trim().split(/\s+/);

test('the file has the expected services', () => {
  assert.ok(ours.length >= 2, 'at least bot and worker use the rdp-medic image');
  for (const name of ['redis', 'bot', 'worker', 'lab']) assert.ok(compose.services[name], `service ${name}`);
  assert.deepEqual(compose.services['lab']?.profiles, ['lab'], 'the lab only runs when asked for');
});

for (const [name, service] of ours) {
  test(`service ${name} runs a command the CLI has`, () => {
    const known = cliCommands();
    const first = words(service.command)[0];
    assert.ok(first, `${name} has a command`);
    assert.ok(known.includes(first), `${name} runs "${first}", which is not an rdp-medic command (${known.join(', ')})`);
  });
}

test('redis never evicts (BullMQ needs noeviction; bot and workers check it at start)', () => {
  const args = words(compose.services['redis']!.command);
  const i = args.indexOf('--maxmemory-policy');
  assert.ok(i >= 0 && args[i + 1] === 'noeviction', `redis command sets noeviction: ${args.join(' ')}`);
});

test('redis keeps an append-only file and has a health check', () => {
  const redis = compose.services['redis']!;
  const args = words(redis.command);
  const i = args.indexOf('--appendonly');
  assert.ok(i >= 0 && args[i + 1] === 'yes', `redis command turns AOF on: ${args.join(' ')}`);
  const hc = words(redis.healthcheck?.test);
  assert.ok(hc.includes('redis-cli') && hc.includes('ping'), `redis healthcheck pings: ${hc.join(' ')}`);
});

test('workers can be scaled: no container name, no fixed host ports', () => {
  const worker = compose.services['worker']!;
  assert.equal(worker.container_name, undefined);
  assert.equal(worker.ports, undefined);
});

test("the Dockerfile's final stage runs node bin/rdp-medic.js as a user that is not root", () => {
  const lines = readFileSync(root('Dockerfile'), 'utf8')
    .replace(/\\\r?\n/g, ' ') // join continuation lines
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages = lines.reduce<string[][]>((acc, l) => (/^FROM\s/i.test(l) ? [...acc, [l]] : (acc.at(-1)?.push(l), acc)), []);
  assert.ok(stages.length >= 2, 'multi-stage');
  const final = stages.at(-1)!;
  const users = final.filter((l) => /^USER\s/i.test(l)).map((l) => l.replace(/^USER\s+/i, '').split(':')[0]!.trim());
  assert.ok(users.length > 0, 'the final stage sets USER');
  assert.ok(!['root', '0'].includes(users.at(-1)!), `final USER is ${users.at(-1)}`);
  const entry = final.find((l) => /^ENTRYPOINT\s/i.test(l));
  assert.deepEqual(JSON.parse(entry?.replace(/^ENTRYPOINT\s+/i, '') ?? 'null'), ['node', 'bin/rdp-medic.js']);
});
