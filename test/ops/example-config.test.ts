// rdp-medic.example.yaml is the documentation of every option: it loads through the real config
// loader, it names every option the schemas have (a new option without a line there fails here), it
// names nothing the schemas do not have (a typo in a switched-off option fails too), and it never
// holds a secret's value.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { parse } from 'yaml';
import { z } from 'zod';
import { DiscordSettings } from '../../src/adapters/discord/settings.ts';
import { loadSlackSettings, SlackSettingsError } from '../../src/adapters/slack/settings.ts';
import { loadConfig } from '../../src/config/load.ts';
import { Config, SecretRef } from '../../src/config/schema.ts';
import { EXAMPLE, uncommented } from './example-config-text.ts';

const BIN = fileURLToPath(new URL('../../bin/rdp-medic.js', import.meta.url));
const text = readFileSync(EXAMPLE, 'utf8');

type Def = { type: string; [k: string]: unknown };
const defOf = (s: z.ZodType): Def => (s as unknown as { def: Def }).def;

/** The forms of a secret reference: one option, whichever form the example shows. */
const secretForms = new Set<string>();

/** Every option path of a schema ("hosts/*\/winrm/url"), records as "*", arrays walked into. */
function schemaPaths(schema: z.ZodType, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (prefix.length) out.add(prefix.join('/'));
  if (schema === (SecretRef as z.ZodType)) {
    for (const form of ['env', 'file', 'value']) secretForms.add([...prefix, form].join('/'));
    return out;
  }
  const def = defOf(schema);
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
      return schemaPaths(def['innerType'] as z.ZodType, prefix, out), out;
    case 'pipe':
      return schemaPaths(def['in'] as z.ZodType, prefix, out), out;
    case 'array':
      return schemaPaths(def['element'] as z.ZodType, prefix, out), out;
    case 'record':
      return schemaPaths(def['valueType'] as z.ZodType, [...prefix, '*'], out), out;
    case 'object':
      for (const [k, v] of Object.entries(def['shape'] as Record<string, z.ZodType>)) schemaPaths(v, [...prefix, k], out);
      return out;
    case 'union': {
      const options = def['options'] as z.ZodType[];
      // A boolean-or-settings option (sentinelTls) is one option; lists-or-objects (roles) are walked into.
      if (options.some((o) => !['object', 'array'].includes(defOf(o).type))) return out;
      for (const o of options) if (defOf(o).type === 'object') schemaPaths(o, prefix, out);
      return out;
    }
    default:
      return out;
  }
}

/** The Slack settings' names, as the adapter lists them when it refuses an unknown one. */
function slackSettingNames(): string[] {
  try {
    loadSlackSettings({ 'not-a-setting': 1 }, {});
  } catch (e) {
    assert.ok(e instanceof SlackSettingsError);
    const known = /known: ([^\n]+)/.exec(e.message)?.[1];
    assert.ok(known, e.message);
    return known.split(',').map((k) => k.trim());
  }
  assert.fail('an unknown Slack setting was accepted');
}

function allOptionPaths(): Set<string> {
  const { slack: _s, discord: _d, ...rest } = Config.shape;
  const paths = schemaPaths(z.object(rest));
  paths.add('slack');
  for (const k of slackSettingNames()) paths.add(`slack/${k}`);
  schemaPaths(DiscordSettings, ['discord'], paths);
  return paths;
}

/** Every key path the example names (array items walked into, without an index). */
function examplePaths(value: unknown, prefix: string[] = [], out = new Set<string>()): Set<string> {
  if (prefix.length) out.add(prefix.join('/'));
  if (Array.isArray(value)) for (const item of value) examplePaths(item, prefix, out);
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) examplePaths(v, [...prefix, k], out);
  return out;
}

const asPattern = (schemaPath: string): RegExp => new RegExp(`^${schemaPath.split('/').map((p) => (p === '*' ? '[^/]+' : p.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&'))).join('/')}$`);

const everything = parse(uncommented(text), { uniqueKeys: false }) as Record<string, unknown>;
const documented = examplePaths(everything);

test('the example loads through the real config loader', () => {
  const config = loadConfig(EXAMPLE);
  assert.ok(Object.keys(config.hosts).length >= 2);
  assert.ok(Object.keys(config.policy.roles).length >= 2);
});

test('the example names every option of the schemas', () => {
  const options = allOptionPaths();
  assert.ok(options.size > 80, `the walk found the options (${options.size})`);
  const missing = [...options].filter((o) => ![...documented].some((d) => asPattern(o).test(d)));
  assert.deepEqual(missing, [], `options missing from rdp-medic.example.yaml: ${missing.join(', ')}`);
});

test('the example names no option the schemas do not have (switched-off ones included)', () => {
  const patterns = [...allOptionPaths(), ...secretForms].map(asPattern);
  const unknown = [...documented].filter((d) => !patterns.some((p) => p.test(d)));
  assert.deepEqual(unknown, [], `not options: ${unknown.join(', ')}`);
});

test('the example holds no secret value: passwords are env or file references, tokens come from the environment', () => {
  const refs: unknown[] = [];
  const walk = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) v.forEach((x) => walk(x));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
    if (/password$/i.test(key)) refs.push(v);
  };
  // Both readings: in the switched-on one a later alternative replaces an earlier key.
  walk(parse(text));
  walk(everything);
  assert.ok(refs.length >= 4, `passwords found: ${refs.length}`);
  for (const ref of refs) {
    assert.ok(ref && typeof ref === 'object' && ('env' in ref || 'file' in ref) && !('value' in ref), `a reference, not a value: ${JSON.stringify(ref)}`);
  }
  const slack = everything['slack'] as Record<string, unknown>;
  const discord = everything['discord'] as Record<string, unknown>;
  for (const [section, key] of [[slack, 'botToken'], [slack, 'appToken'], [slack, 'signingSecret'], [discord, 'token']] as const) {
    assert.ok(key in section, `${key} is documented`);
    assert.equal(section[key], null, `${key} has no value in the file`);
  }
});

test('the example passes `config check` with the environment it documents', async () => {
  const env = {
    ...process.env,
    REDIS_URL: '',
    WINRM_PASSWORD: 'example-winrm-password',
    WINRM_KIOSK_PASSWORD: 'example-kiosk-password',
    SLACK_BOT_TOKEN: 'xoxb-example-bot-token',
    SLACK_APP_TOKEN: 'xapp-1-example-app-token',
  };
  const child = spawn(process.execPath, [BIN, 'config', 'check', '--config', EXAMPLE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, out);
  assert.match(out, /hosts: 2/);
  assert.match(out, /chat: slack \(Socket Mode\)/);
  for (const secret of ['example-winrm-password', 'example-kiosk-password', 'xoxb-example', 'xapp-1-example']) assert.ok(!out.includes(secret), `${secret} not printed`);
});
