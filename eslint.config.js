// Flat config: typescript-eslint's recommended type-aware rules over src, test, bench, and the
// house's boundaries as import rules over src (docs/architecture.md): each floor imports only the
// floors below it, no platform SDK outside its own adapter, nobody but winrm/ reaches its internals,
// adapters never reach winrm/ or host/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const SLACK_SDK = { group: ['@slack/*'], message: 'Only src/adapters/slack/ speaks to Slack.' };
const DISCORD_SDK = { group: ['discord.js', '@discordjs/*'], message: 'Only src/adapters/discord/ speaks to Discord.' };
const WSMAN_INTERNALS = { regex: '(^|/)winrm/(?!index\\.ts$)', message: 'WS-Management is src/winrm/\'s: import its face, winrm/index.ts.' };

/** A relative import that climbs out of this folder into one of `folders`. */
const into = (folders, why) => ({ regex: `^(\\.\\./)+(${folders.join('|')})(/|\\.ts$)`, message: why });

// From the top floor down: what each folder may NOT import (its dependants, and what it must not know).
const ABOVE_DOMAIN = ['commands', 'demo', 'processes', 'bot', 'workers', 'adapters', 'cards', 'state', 'policy', 'cli'];
const FLOORS = [
  ['src/processes/**', ['commands', 'demo', 'cli'], 'processes/ starts bot and workers; commands start processes.'],
  ['src/bot/**', ['commands', 'demo', 'processes', 'workers', 'adapters', 'winrm', 'ntlm', 'host', 'lab', 'cli'], 'bot/ is platform-neutral and never runs host work: hand it to workers through state/.'],
  ['src/workers/**', ['commands', 'demo', 'processes', 'bot', 'adapters', 'cli'], 'workers/ answer through state/ and cards/, never through bot/ or a platform.'],
  ['src/adapters/**', ['commands', 'demo', 'processes', 'bot', 'workers', 'state', 'winrm', 'ntlm', 'host', 'lab', 'rdp', 'cli'], 'An adapter translates a platform to chat/ and renders cards/: it never reaches hosts or Redis.'],
  ['src/cards/**', ['commands', 'demo', 'processes', 'bot', 'workers', 'adapters', 'winrm', 'ntlm', 'lab', 'cli'], 'cards/ build platform-neutral Cards from state and RDP results.'],
  ['src/state/**', ['commands', 'demo', 'processes', 'bot', 'workers', 'adapters', 'cards', 'winrm', 'ntlm', 'lab', 'cli'], 'state/ holds the Redis stores; the floors above use it.'],
  ['src/policy/**', [...ABOVE_DOMAIN.filter((f) => f !== 'policy'), 'winrm', 'ntlm', 'host', 'lab'], 'policy/ decides over the config and the chat model only.'],
  ['src/chat/**', [...ABOVE_DOMAIN, 'config', 'rdp', 'winrm', 'ntlm', 'host', 'lab', 'ops'], 'chat/ is the ground floor of the chat side: it imports nothing of ours.'],
  ['src/lib/**', [...ABOVE_DOMAIN, 'chat', 'config', 'rdp', 'winrm', 'ntlm', 'host', 'lab', 'ops'], 'lib/ is shared by every floor and imports none.'],
  ['src/ops/**', [...ABOVE_DOMAIN, 'winrm', 'ntlm', 'host', 'lab', 'rdp'], 'ops/ (logs, metrics, health) serves the processes and knows no domain.'],
  // The host side, bottom up: ntlm < winrm < host < rdp; the lab simulates hosts beside them, and nothing in production imports it.
  ['src/rdp/**', [...ABOVE_DOMAIN, 'chat', 'lab'], 'rdp/ is RDP knowledge over host/ and winrm/: it knows no chat and no lab.'],
  ['src/host/**', [...ABOVE_DOMAIN, 'chat', 'rdp', 'lab'], 'host/ runs plans on a host: RDP knowledge (rdp/) builds on it, not the other way.'],
  ['src/winrm/**', [...ABOVE_DOMAIN, 'chat', 'rdp', 'host', 'lab', 'config'], 'winrm/ is the WS-Management client: it knows nothing about plans, RDP or chat.'],
  ['src/ntlm/**', [...ABOVE_DOMAIN, 'chat', 'rdp', 'host', 'lab', 'config', 'winrm'], 'ntlm/ is NTLM and its message encryption, under winrm/.'],
  ['src/lab/**', [...ABOVE_DOMAIN, 'chat'], 'lab/ simulates hosts (it may speak RDP and run plans); it knows no chat.'],
];

/** One no-restricted-imports entry per folder: a later entry replaces an earlier one's rule, so each carries all it needs. */
const restrict = (files, patterns) => ({ files: [files], rules: { 'no-restricted-imports': ['error', { patterns }] } });
const sdkFor = (files) => (files.startsWith('src/adapters/slack/') ? [DISCORD_SDK] : files.startsWith('src/adapters/discord/') ? [SLACK_SDK] : [SLACK_SDK, DISCORD_SDK]);
const boundaries = [
  restrict('src/**', [SLACK_SDK, DISCORD_SDK, WSMAN_INTERNALS]),
  restrict('src/winrm/**', [SLACK_SDK, DISCORD_SDK]),
  ...FLOORS.map(([files, banned, why]) => restrict(files, [...sdkFor(files), WSMAN_INTERNALS, into(banned, why)])),
  ...['src/adapters/slack/**', 'src/adapters/discord/**'].map((files) => {
    const [, banned, why] = FLOORS.find(([f]) => f === 'src/adapters/**');
    return restrict(files, [...sdkFor(files), WSMAN_INTERNALS, into(banned, why)]);
  }),
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', URL: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextDecoder: 'readonly', TextEncoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  ...boundaries,
);
