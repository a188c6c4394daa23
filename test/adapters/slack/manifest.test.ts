// `rdp-medic slack manifest`: the command registered on a fresh commander program prints a manifest
// that parses and has the /rdp command, the scopes, interactivity and the right mode.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { parse } from 'yaml';
import { register } from '../../../src/commands/slack.ts';
import { BOT_SCOPES } from '../../../src/adapters/slack/manifest.ts';

async function run(args: string[]): Promise<{ out: string; err: string; code: number | null }> {
  let out = '';
  let err = '';
  let code: number | null = null;
  const program = new Command().exitOverride();
  register(program, { out: (s) => (out += s), err: (s) => (err += s), exit: (c) => (code = c) });
  await program.parseAsync(['node', 'rdp-medic', 'slack', 'manifest', ...args]);
  return { out, err, code };
}

interface Manifest {
  display_information: { name: string };
  features: { bot_user: { display_name: string }; slash_commands: { command: string; description: string; usage_hint: string; should_escape: boolean; url?: string }[] };
  oauth_config: { scopes: { bot: string[] } };
  settings: { socket_mode_enabled: boolean; interactivity: { is_enabled: boolean; request_url?: string }; event_subscriptions: { bot_events: string[]; request_url?: string } };
}

describe('rdp-medic slack manifest', () => {
  test('Socket Mode (default): YAML with /rdp, the bot scopes, interactivity, app_mention, no request URLs', async () => {
    const { out, code } = await run([]);
    assert.equal(code, 0);
    const m = parse(out) as Manifest;
    assert.equal(m.display_information.name, 'rdp-medic');
    assert.equal(m.features.bot_user.display_name, 'rdp-medic');
    const [cmd] = m.features.slash_commands;
    assert.equal(cmd?.command, '/rdp');
    assert.equal(cmd?.usage_hint, 'check HOST | fix HOST FIX | undo HOST UNDO_ID | status | history | hosts | help');
    assert.equal(cmd?.should_escape, false);
    assert.equal(cmd?.url, undefined);
    assert.deepEqual(m.oauth_config.scopes.bot, [...BOT_SCOPES]);
    for (const s of ['commands', 'chat:write', 'app_mentions:read', 'usergroups:read', 'users:read']) assert.ok((m.oauth_config.scopes.bot as string[]).includes(s), s);
    assert.equal(m.settings.socket_mode_enabled, true);
    assert.equal(m.settings.interactivity.is_enabled, true);
    assert.deepEqual(m.settings.event_subscriptions.bot_events, ['app_mention']);
    assert.equal(JSON.stringify(m).includes('request_url'), false);
  });

  test('HTTP mode: --request-url fills every request URL and turns Socket Mode off; --json prints JSON', async () => {
    const url = 'https://bot.example.com/slack/events';
    const { out, code } = await run(['--request-url', url, '--json']);
    assert.equal(code, 0);
    const m = JSON.parse(out) as Manifest;
    assert.equal(m.settings.socket_mode_enabled, false);
    assert.equal(m.features.slash_commands[0]?.url, url);
    assert.equal(m.settings.interactivity.request_url, url);
    assert.equal(m.settings.event_subscriptions.request_url, url);
  });

  test('a request URL that is not https is refused with exit code 2', async () => {
    const { out, err, code } = await run(['--request-url', 'http://insecure.example.com/slack/events']);
    assert.equal(code, 2);
    assert.equal(out, '');
    assert.match(err, /is not an https:\/\/ URL/);
  });
});
