// Pure parts of the Discord adapter: the /rdp definition mirrors the grammar, slash input becomes
// grammar text the real parser accepts, autocomplete matching, settings from config and env
// (errors name the setting, never the token), error mapping, nonces and the packet guard.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommand, SUBCOMMANDS } from '../../../src/bot/grammar.ts';
import { rdpCommandDefinition, toGrammarText } from '../../../src/adapters/discord/commands.ts';
import { autocompleteChoices, matchChoices } from '../../../src/adapters/discord/autocomplete.ts';
import { allowedPlaces, loadDiscordSettings } from '../../../src/adapters/discord/settings.ts';
import { placeRefusal } from '../../../src/adapters/discord/inbound.ts';
import { redactTokens } from '../../../src/adapters/discord/errors.ts';
import { nonceOf } from '../../../src/adapters/discord/nonce.ts';
import { guardPacket } from '../../../src/adapters/discord/packet-guard.ts';
import { buttonInteraction, slashInteraction } from '../../fakes/discord/index.ts';
import { FIX_IDS, INVENTORY } from './harness.ts';

const inventory = { hosts: [{ id: 'work-pc', groups: ['lab'], tags: ['cert'] }, { id: 'db-01', groups: [], tags: [] }] };

describe('discord /rdp definition', () => {
  const def = rdpCommandDefinition();
  test('one subcommand per grammar subcommand, host options autocomplete', () => {
    assert.equal(def.name, 'rdp');
    const subs = def.options ?? [];
    assert.deepEqual(subs.map((s) => s.name).sort(), [...SUBCOMMANDS].sort());
    for (const s of subs) {
      const host = 'options' in s ? s.options?.find((o) => o.name === 'host') : undefined;
      if (host) assert.equal('autocomplete' in host && host.autocomplete, true, s.name);
    }
    const fix = subs.find((s) => s.name === 'fix');
    assert.deepEqual(fix && 'options' in fix ? fix.options?.map((o) => [o.name, o.required]) : null, [['host', true], ['fix', true]]);
    assert.ok(JSON.stringify(def).length < 4000, 'well within Discord limits for a command');
  });

  test('slash input becomes grammar text the real grammar parses', () => {
    const cases: [string, Record<string, string>, string, string][] = [
      ['check', { host: 'work-pc' }, 'check work-pc', 'check'],
      ['check', { host: 'group:lab' }, 'check group:lab', 'check'],
      ['check', { host: 'tag:cert' }, 'check tag:cert', 'check'],
      ['fix', { host: 'work-pc', fix: 'cert-regenerate' }, 'fix work-pc cert-regenerate', 'fix'],
      ['undo', { host: 'work-pc', undo_id: 'u-abcdefgh' }, 'undo work-pc u-abcdefgh', 'undo'],
      ['status', { host: 'db-01' }, 'status db-01', 'status'],
      ['history', { host: 'db-01' }, 'history db-01', 'history'],
      ['hosts', {}, 'hosts', 'hosts'],
      ['help', {}, 'help', 'help'],
      ['help', { command: 'fix' }, 'help fix', 'help'],
    ];
    for (const [subcommand, options, text, kind] of cases) {
      assert.equal(toGrammarText({ subcommand, options }), text);
      assert.equal(parseCommand(text, inventory, { fixIds: ['cert-regenerate'] }).kind, kind, text);
    }
    assert.equal(toGrammarText({ subcommand: 'fix', options: { fix: ' cert-regenerate ', host: ' work-pc ' } }), 'fix work-pc cert-regenerate');
  });
});

describe('discord autocomplete', () => {
  test('prefix matches first, then substrings, case-insensitive, at most 25', () => {
    assert.deepEqual(matchChoices(['work-pc', 'db-01', 'network-pc'], 'WOR').map((c) => c.value), ['work-pc', 'network-pc']);
    assert.equal(matchChoices(Array.from({ length: 60 }, (_, i) => `h${i}`), 'h').length, 25);
    assert.deepEqual(matchChoices(['x'.repeat(101), 'ok'], ''), [{ name: 'ok', value: 'ok' }]);
  });
  test('check offers group:/tag: targets, other subcommands only hosts; fix offers fix ids', () => {
    const src = { inventory: INVENTORY, fixIds: FIX_IDS };
    assert.deepEqual(autocompleteChoices('check', 'host', 'c', src).map((c) => c.value), ['group:office', 'tag:cert', 'work-pc']);
    assert.deepEqual(autocompleteChoices('check', 'host', 'TAG', src).map((c) => c.value), ['tag:cert', 'tag:win11']);
    assert.deepEqual(autocompleteChoices('status', 'host', 'c', src).map((c) => c.value), ['work-pc']);
    assert.deepEqual(autocompleteChoices('fix', 'fix', 'enable', src).map((c) => c.value), ['enable-rdp']);
    assert.deepEqual(autocompleteChoices('undo', 'undo_id', 'u', src), []);
  });
});

describe('discord settings', () => {
  const TOKEN = 'MTAwMDAw.secret-token-value';
  test('from the config record, env overrides, apiUrl without trailing slash', () => {
    const s = loadDiscordSettings({ token: 'from-file', applicationId: '100000000000000001', guildId: '100000000000000100' }, { DISCORD_TOKEN: TOKEN, DISCORD_API_URL: 'http://127.0.0.1:9/api/', DISCORD_ONCALL_ROLE_ID: '100000000000000401' });
    assert.equal(s.token, TOKEN);
    assert.equal(s.applicationId, '100000000000000001');
    assert.equal(s.guildId, '100000000000000100');
    assert.equal(s.oncallRoleId, '100000000000000401');
    assert.equal(s.apiUrl, 'http://127.0.0.1:9/api');
  });
  test('env alone is enough; mistakes name the setting and never echo the token', () => {
    assert.equal(loadDiscordSettings(undefined, { DISCORD_TOKEN: TOKEN, DISCORD_APPLICATION_ID: '100000000000000001' }).token, TOKEN);
    assert.throws(() => loadDiscordSettings(undefined, {}), /discord\.token is missing: expected the bot token \(set DISCORD_TOKEN\)[\s\S]*discord\.applicationId is missing/);
    assert.throws(
      () => loadDiscordSettings({ token: `${TOKEN} x`, applicationId: 'abc', colour: 1 }, { DISCORD_GUILD_ID: 'nope' }),
      (e: Error) => {
        assert.match(e.message, /discord\.token: expected a bot token without spaces/);
        assert.match(e.message, /discord\.applicationId: expected the application id/);
        assert.match(e.message, /DISCORD_GUILD_ID \(discord\.guildId\): expected a Discord id/);
        assert.match(e.message, /unknown setting "colour"/);
        assert.ok(!e.message.includes('secret-token-value'), e.message);
        return true;
      },
    );
  });
});

describe('discord guild and channel allow-list', () => {
  const app = { token: 'MTAwMDAw.secret-token-value', applicationId: '100000000000000001' };
  const GUILD = '100000000000000100';
  const OPS = '100000000000000200';
  test('the allowed guilds: allowedGuilds, else guildId, else any (as before)', () => {
    assert.deepEqual(allowedPlaces(loadDiscordSettings({ ...app, guildId: GUILD }, {})), { guilds: [GUILD], channels: null });
    assert.deepEqual(allowedPlaces(loadDiscordSettings({ ...app, guildId: GUILD, allowedGuilds: ['100000000000000101', GUILD], allowedChannels: [OPS] }, {})), { guilds: ['100000000000000101', GUILD], channels: [OPS] });
    assert.deepEqual(allowedPlaces(loadDiscordSettings(app, {})), { guilds: null, channels: null });
    assert.throws(() => loadDiscordSettings({ ...app, allowedGuilds: ['ours'] }, {}), /discord\.allowedGuilds: expected a list of Discord ids/);
  });
  test('a foreign guild, a direct message, or a channel not listed is refused; a thread counts as its parent', () => {
    const places = { guilds: [GUILD], channels: [OPS] };
    assert.equal(placeRefusal('100000000000000999', OPS, null, places), 'rdp-medic is not enabled in this server.');
    assert.equal(placeRefusal(null, '100000000000000300', null, places), 'rdp-medic answers in its server only, not in direct messages.');
    assert.equal(placeRefusal(GUILD, '100000000000000201', null, places), `rdp-medic does not answer in this channel; use <#${OPS}>.`);
    assert.equal(placeRefusal(GUILD, OPS, null, places), null);
    assert.equal(placeRefusal(GUILD, '100000000000000555', OPS, places), null, 'a thread of the ops channel');
    assert.equal(placeRefusal('100000000000000999', null, null, { guilds: null, channels: null }), null, 'no allow-list: as before');
  });
  test('the packet guard reads a thread\'s parent channel', () => {
    const d = slashInteraction({ subcommand: 'hosts', channelId: '100000000000000555', channelType: 11, parentId: OPS });
    assert.deepEqual(guardPacket({ t: 'INTERACTION_CREATE', d }), { ok: true, interactionId: d.id, channelType: 11, parentId: OPS });
  });
});

describe('discord helpers', () => {
  test('tokens are redacted from URLs', () => {
    assert.equal(redactTokens('/api/v10/webhooks/123/aW50ZXJhY3Rpb24/messages/@original'), '/api/v10/webhooks/123/[token]/messages/@original');
    assert.equal(redactTokens('/interactions/456/aW50/callback'), '/interactions/456/[token]/callback');
  });
  test('nonces: short keys as is, long keys hashed to 25 characters, stable', () => {
    assert.equal(nonceOf('root:r1'), 'root:r1');
    const long = 'deliver:conversation-1234567890:reply:42';
    assert.equal(nonceOf(long).length, 25);
    assert.equal(nonceOf(long), nonceOf(long));
    assert.notEqual(nonceOf(long), nonceOf(`${long}x`));
  });
  test('the packet guard passes good interactions and neutralizes ones discord.js would throw on', () => {
    const good = { t: 'INTERACTION_CREATE', d: slashInteraction({ subcommand: 'hosts' }) };
    assert.deepEqual(guardPacket(good), { ok: true, interactionId: good.d.id, channelType: 0 });
    const noEnt = { t: 'INTERACTION_CREATE', d: { ...slashInteraction({ subcommand: 'hosts' }), entitlements: undefined } };
    const r = guardPacket(noEnt);
    assert.equal(r?.ok, false);
    assert.equal(noEnt.t, 'RDP_MEDIC_IGNORED_MALFORMED');
    const click = buttonInteraction({ customId: 'a:b', messageId: '1' });
    delete click.message;
    const p = { t: 'INTERACTION_CREATE', d: click };
    assert.match((guardPacket(p) as { problem: string }).problem, /^message:/);
    assert.ok(!JSON.stringify(guardPacket({ t: 'INTERACTION_CREATE', d: { token: 'sekrit' } })).includes('sekrit'));
    assert.equal(guardPacket({ t: 'GUILD_CREATE', d: {} }), null);
  });
});
