// `rdp-medic discord register` against the fake Discord: guild or global PUT with the bot token,
// the /rdp definition in the body, and what Discord registered coming back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { registerCommands } from '../../../src/adapters/discord/register.ts';
import { loadDiscordSettings } from '../../../src/adapters/discord/settings.ts';
import { FakeDiscord, IDS, discordError } from '../../fakes/discord/index.ts';

const run = promisify(execFile);

test('registers /rdp as guild commands with --guild, else globally; a refusal is reported without the token', async () => {
  const fake = await FakeDiscord.start();
  try {
    const base = { token: fake.token, applicationId: IDS.application, apiUrl: fake.apiUrl };
    const guild = await registerCommands(loadDiscordSettings({ ...base, guildId: IDS.guild }, {}));
    assert.equal(guild.scope, 'guild');
    assert.deepEqual(guild.commands.map((c) => [c.name, c.options.sort()]), [['rdp', ['check', 'fix', 'help', 'history', 'hosts', 'status', 'undo']]]);
    const put = fake.calls.at(-1)!;
    assert.equal(`${put.method} ${put.path}`, `PUT /applications/${IDS.application}/guilds/${IDS.guild}/commands`);
    assert.equal(put.authorization, `Bot ${fake.token}`);

    const global = await registerCommands(loadDiscordSettings(base, {}));
    assert.equal(global.scope, 'global');
    assert.equal(fake.calls.at(-1)!.path, `/applications/${IDS.application}/commands`);

    fake.fail({ match: (c) => c.method === 'PUT', reply: discordError(403, 50001, 'Missing Access') });
    await assert.rejects(registerCommands(loadDiscordSettings(base, {})), (e: Error) => /50001 \(missing access\)/.test(e.message) && !e.message.includes(fake.token));
  } finally {
    await fake.close();
  }
});

test('the CLI command: environment alone, --guild wins, output says what was registered', async () => {
  const fake = await FakeDiscord.start();
  try {
    const script = fileURLToPath(new URL('./fixtures/discord-cli.ts', import.meta.url));
    const env = { ...process.env, DISCORD_TOKEN: fake.token, DISCORD_APPLICATION_ID: IDS.application, DISCORD_API_URL: fake.apiUrl, RDP_MEDIC_CONFIG: '', DISCORD_GUILD_ID: '' };
    const { stdout } = await run(process.execPath, ['--import', 'tsx', script, 'discord', 'register', '--guild', IDS.guild], { env, timeout: 90_000 });
    assert.match(stdout, new RegExp(`registered /rdp \\(check, fix, undo, status, history, hosts, help\\) as a guild command in ${IDS.guild}`));
    assert.equal(fake.calls.at(-1)!.path, `/applications/${IDS.application}/guilds/${IDS.guild}/commands`);
    const bad = await run(process.execPath, ['--import', 'tsx', script, 'discord', 'register'], { env: { ...env, DISCORD_APPLICATION_ID: 'x' }, timeout: 90_000 }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((bad as { code: number }).code, 2);
    assert.match((bad as { stderr: string }).stderr, /DISCORD_APPLICATION_ID \(discord\.applicationId\): expected the application id/);
    assert.ok(!(bad as { stderr: string }).stderr.includes(fake.token));
  } finally {
    await fake.close();
  }
});
