// Slack settings: config record plus SLACK_* overrides, defaults, and error messages that name the
// setting and what is expected without ever printing a secret.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSlackSettings, loadSlackSettings, SlackSettingsError } from '../../../src/adapters/slack/settings.ts';

const BOT = 'xoxb-123-456-secretbotvalue';
const APP = 'xapp-1-A0-secretappvalue';
const SIGN = 'signing-secret-value-0123456789';

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SlackSettingsError);
    return e.message;
  }
  assert.fail('expected a SlackSettingsError');
}

describe('slack settings', () => {
  test('Socket Mode by default, with defaults for port and API URL', () => {
    const s = loadSlackSettings({ botToken: BOT, appToken: APP }, {});
    assert.deepEqual(s, { botToken: BOT, appToken: APP, mode: 'socket', port: 3000, apiUrl: 'https://slack.com/api/' });
  });

  test('environment variables override the config record; the port may be a string', () => {
    const s = loadSlackSettings(
      { botToken: 'xoxb-from-config', mode: 'socket', port: 1 },
      { SLACK_BOT_TOKEN: BOT, SLACK_SIGNING_SECRET: SIGN, SLACK_MODE: 'http', SLACK_PORT: '8080', SLACK_API_URL: 'http://127.0.0.1:9/api/', SLACK_APP_TOKEN: '' },
    );
    assert.equal(s.botToken, BOT);
    assert.equal(s.mode, 'http');
    assert.equal(s.port, 8080);
    assert.equal(s.apiUrl, 'http://127.0.0.1:9/api/');
    assert.equal(s.signingSecret, SIGN);
  });

  test('oncallGroupId is accepted from config', () => {
    assert.equal(loadSlackSettings({ botToken: BOT, appToken: APP, oncallGroupId: 'S0ONCALL' }, {}).oncallGroupId, 'S0ONCALL');
  });

  test('Socket Mode without an app token and HTTP mode without a signing secret name what is missing', () => {
    assert.match(errorOf(() => loadSlackSettings({ botToken: BOT }, {})), /slack\.appToken \(env SLACK_APP_TOKEN\): Socket Mode needs an app-level token/);
    assert.match(errorOf(() => loadSlackSettings({ botToken: BOT, mode: 'http' }, {})), /slack\.signingSecret \(env SLACK_SIGNING_SECRET\): HTTP mode needs/);
  });

  test('every mistake is listed, each naming its setting; secrets are never echoed', () => {
    const msg = errorOf(() =>
      loadSlackSettings({ botToken: 'xoxp-user-token-secretvalue', appToken: 'xoxb-wrong-kind-secretvalue', mode: 'carrier-pigeon', port: 70000, apiUrl: 'ftp://x', oncallGroupId: 'nope', extra: 1 }, {}),
    );
    assert.match(msg, /slack\.botToken \(env SLACK_BOT_TOKEN\): expected a bot token starting with "xoxb-"/);
    assert.match(msg, /slack\.appToken \(env SLACK_APP_TOKEN\): expected an app-level token starting with "xapp-"/);
    assert.match(msg, /slack\.mode \(env SLACK_MODE\): expected "socket" or "http"/);
    assert.match(msg, /slack\.port \(env SLACK_PORT\): expected a port number 0-65535/);
    assert.match(msg, /slack\.apiUrl \(env SLACK_API_URL\): expected/);
    assert.match(msg, /slack\.oncallGroupId .*: expected a Slack user group id/);
    assert.match(msg, /unknown setting\(s\) "extra"/);
    assert.equal(msg.includes('secretvalue'), false, msg);
    assert.equal(msg.includes('carrier-pigeon'), false);
  });

  test('a missing bot token is named; a non-string value says a string is expected', () => {
    assert.match(errorOf(() => loadSlackSettings({ appToken: APP }, {})), /slack\.botToken \(env SLACK_BOT_TOKEN\): expected a bot token string/);
    assert.match(errorOf(() => loadSlackSettings({ botToken: 42, appToken: APP }, {})), /slack\.botToken .*: expected a bot token string/);
  });

  test('workspace and channel allow-lists come from the config file; mistakes name the setting', () => {
    const s = loadSlackSettings({ botToken: BOT, appToken: APP, allowedTeams: ['T0OURS', 'E0ORG'], allowedChannels: ['C0OPS', 'G0PRIVATE'] }, {});
    assert.deepEqual([s.allowedTeams, s.allowedChannels], [['T0OURS', 'E0ORG'], ['C0OPS', 'G0PRIVATE']]);
    const msg = errorOf(() => loadSlackSettings({ botToken: BOT, appToken: APP, allowedTeams: ['ours'], allowedChannels: [] }, {}));
    assert.match(msg, /slack\.allowedTeams: expected workspace ids such as T0123ABC/);
    assert.match(msg, /slack\.allowedChannels: expected at least one channel id; leave it out for every channel/);
    assert.match(errorOf(() => loadSlackSettings({ botToken: BOT, appToken: APP, allowedTeam: ['T0OURS'] }, {})), /unknown setting\(s\) "allowedTeam"; known: .*allowedTeams, allowedChannels/);
  });

  test('describeSlackSettings says which secrets are set, never their values', () => {
    const text = JSON.stringify(describeSlackSettings(loadSlackSettings({ botToken: BOT, appToken: APP, signingSecret: SIGN }, {})));
    assert.match(text, /"botToken":"set"/);
    assert.equal(text.includes('secret'), false);
  });
});
