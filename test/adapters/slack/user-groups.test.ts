// User group resolution: one usergroups.list serves every user for a minute, concurrent lookups
// share one request, and failures or a slow Slack give no groups (fail closed) and are retried.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UserGroupResolver } from '../../../src/adapters/slack/user-groups.ts';
import { captureLogger } from './harness.ts';

const ANSWER = { ok: true, usergroups: [{ id: 'S1', users: ['U1', 'U2'] }, { id: 'S2', users: ['U2'] }, { id: 'S3' }] };

describe('slack user groups', () => {
  test('cached for cacheMs; concurrent lookups share one call; refreshed after', async () => {
    let calls = 0;
    let t = 0;
    const r = new UserGroupResolver(async (args) => (calls++, assert.deepEqual(args, { include_users: true }), ANSWER), { logger: captureLogger().logger, now: () => t, cacheMs: 60_000 });
    assert.deepEqual(await Promise.all([r.groupsOf('U1'), r.groupsOf('U2'), r.groupsOf('U9')]), [['S1'], ['S1', 'S2'], []]);
    assert.equal(calls, 1);
    t = 59_999;
    await r.groupsOf('U1');
    assert.equal(calls, 1);
    t = 60_000;
    await r.groupsOf('U1');
    assert.equal(calls, 2);
  });

  test('an error gives no groups, logs a warning, and the next lookup tries again', async () => {
    let calls = 0;
    const { logger, lines } = captureLogger();
    const r = new UserGroupResolver(async () => {
      calls++;
      if (calls === 1) throw new Error('missing_scope');
      return ANSWER;
    }, { logger });
    assert.deepEqual(await r.groupsOf('U1'), []);
    assert.match(lines[0]?.msg ?? '', /could not resolve user groups/);
    assert.deepEqual(await r.groupsOf('U1'), ['S1']);
  });

  test('a Slack that does not answer: no groups after timeoutMs', async () => {
    const r = new UserGroupResolver(() => new Promise(() => {}), { logger: captureLogger().logger, timeoutMs: 50 });
    assert.deepEqual(await r.groupsOf('U1'), []);
  });
});
