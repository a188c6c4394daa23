// Policy: the config format (defaults, validation with paths), roles from platform identities,
// decisions that say why and who can, and the per-user rate limit against a real redis-server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatUser } from '../../src/chat/model.ts';
import { policyGate, rolesOf } from '../../src/policy/index.ts';
import { takeCommand } from '../../src/state/rate-limit.ts';
import { createRedis, type Redis } from '../../src/state/redis.ts';
import { formatIssues } from '../../src/config/load.ts';
import { Policy } from '../../src/config/policy.ts';
import { Config } from '../../src/config/schema.ts';
import { startRedisServer, type RedisServer } from '../fakes/redis-server.ts';

const user = (platform: ChatUser['platform'], id: string, name: string, groups: string[] = []): ChatUser => ({ platform, id, name, groups });
const alice = user('console', 'alice', 'alice');
const bob = user('console', 'bob', 'bob');
const carol = user('slack', 'U0CAROL', 'carol', ['S0ONCALL']);
const dave = user('discord', '123456789', 'dave', ['987654321']);
const mallory = user('slack', 'U0MALLORY', 'mallory');

const POLICY = Policy.parse({
  roles: {
    responder: ['console:alice', 'slack-group:S0ONCALL', 'discord-role:987654321'],
    approver: ['console:bob', 'slack:U0CAROL'],
    viewer: ['slack:U0VIEWER'],
  },
  request: ['responder', 'approver'],
  approve: { safe: ['responder', 'approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
});
const gate = policyGate(POLICY);

describe('policy: config format', () => {
  it('defaults: nobody may do anything, four-eyes on disruptive and weakens-security, 15 min, 10/min', () => {
    const p = Policy.parse({});
    assert.deepEqual(p, {
      roles: {},
      check: [],
      request: [],
      approve: { safe: [], disruptive: [], 'weakens-security': [] },
      fourEyes: ['disruptive', 'weakens-security'],
      approvalExpiryMinutes: 15,
      rateLimit: { commandsPerMinute: 10 },
    });
    assert.equal(gate.mayCheck(mallory).allowed, false);
  });

  it('check and request default to every role', () => {
    const p = Policy.parse({ roles: { a: ['console:x'], b: ['console:y'] } });
    assert.deepEqual(p.check, ['a', 'b']);
    assert.deepEqual(p.request, ['a', 'b']);
  });

  it('mistakes are reported with their path', () => {
    const r = Policy.safeParse({ roles: { approver: ['bob'] }, approve: { disruptive: ['aprover'] }, fourEyes: ['risky'] });
    assert.equal(r.success, false);
    const problems = formatIssues(r.error!.issues).join('\n');
    assert.match(problems, /roles\.approver\.0: an identity is KIND:ID/);
    assert.match(problems, /fourEyes\.0: /);
    const unknownRole = Policy.safeParse({ roles: { approver: ['console:bob'] }, approve: { disruptive: ['aprover'] } });
    assert.match(formatIssues(unknownRole.error!.issues).join('\n'), /approve\.disruptive\.0: unknown role "aprover"; defined in policy\.roles: approver/);
  });

  it('is the config file\'s policy field', () => {
    const base = { hosts: {}, credentials: {} };
    assert.deepEqual(Config.parse(base).policy, Policy.parse({}));
    assert.equal(Config.safeParse({ ...base, policy: { roles: { r: ['alice'] } } }).success, false);
  });
});

describe('policy: roles and decisions', () => {
  it('maps user ids and platform groups/roles to roles; display names never count', () => {
    assert.deepEqual(rolesOf(alice, POLICY), ['responder']);
    assert.deepEqual(rolesOf(carol, POLICY), ['approver', 'responder']);
    assert.deepEqual(rolesOf(dave, POLICY), ['responder']);
    assert.deepEqual(rolesOf(user('slack', 'U0OTHER', 'bob'), POLICY), []);
    // The same id on another platform is another person.
    assert.deepEqual(rolesOf(user('slack', 'alice', 'alice'), POLICY), []);
  });

  it('check: allowed for roles, refused in plain words for others', () => {
    assert.deepEqual(gate.mayCheck(alice), { allowed: true });
    const no = gate.mayCheck(mallory);
    assert.equal(no.allowed, false);
    assert.equal(no.allowed === false && no.reason, '@mallory may not check hosts: slack:U0MALLORY has no rdp-medic role. Who can: the responder role (console:alice, slack-group:S0ONCALL, discord-role:987654321) or the approver role (console:bob, slack:U0CAROL) or the viewer role (slack:U0VIEWER).');
  });

  it('request: a viewer may check but not request fixes', () => {
    const viewer = user('slack', 'U0VIEWER', 'vic');
    assert.deepEqual(gate.mayCheck(viewer), { allowed: true });
    const no = gate.mayRequestFix(viewer);
    assert.equal(no.allowed === false && no.reason, '@vic may not request fixes: your roles (viewer) do not include it. Who can: the responder role (console:alice, slack-group:S0ONCALL, discord-role:987654321) or the approver role (console:bob, slack:U0CAROL).');
  });

  it('approve: by risk class, with four-eyes where configured', () => {
    assert.deepEqual(gate.mayApprove(bob, 'disruptive', alice), { allowed: true });
    // Four-eyes: bob may not approve his own disruptive fix, but may his own safe one.
    const self = gate.mayApprove(bob, 'disruptive', bob);
    assert.equal(self.allowed === false && self.reason, '@bob may not approve their own disruptive fix (four-eyes): it needs someone else with the approver role (console:bob, slack:U0CAROL).');
    assert.deepEqual(gate.mayApprove(bob, 'safe', bob), { allowed: true });
    const responder = gate.mayApprove(alice, 'weakens-security', bob);
    assert.equal(responder.allowed === false && responder.reason, '@alice may not approve weakens-security fixes: your roles (responder) do not include it. Who can: the approver role (console:bob, slack:U0CAROL).');
    assert.deepEqual(gate.mayApprove(dave, 'safe', alice), { allowed: true });
  });

  it('reject: the requester may withdraw; others need the approver role for the class', () => {
    assert.deepEqual(gate.mayReject(alice, 'disruptive', alice), { allowed: true });
    assert.deepEqual(gate.mayReject(carol, 'disruptive', alice), { allowed: true });
    assert.equal(gate.mayReject(dave, 'disruptive', alice).allowed, false);
  });
});

describe('policy: rate limit (real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  before(async () => {
    server = await startRedisServer();
    redis = createRedis({ url: server.url });
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('allows N commands a minute per user, then says how long to wait', async () => {
    for (let i = 0; i < 10; i++) assert.deepEqual(await takeCommand(redis, alice, 10), { allowed: true, remaining: 9 - i });
    const refused = await takeCommand(redis, alice, 10);
    assert.equal(refused.allowed, false);
    assert.ok(refused.allowed === false);
    assert.match(refused.reason, /^slow down: 10 commands a minute; try again in \d+ s$/);
    const seconds = Number(/in (\d+) s/.exec(refused.reason)![1]);
    assert.ok(seconds >= 1 && seconds <= 60, refused.reason);
    // Refusals are not counted, and other users have their own count.
    assert.equal((await takeCommand(redis, alice, 10)).allowed, false);
    assert.equal((await takeCommand(redis, bob, 10)).allowed, true);
    assert.equal(await redis.zcard('rdp-medic:rate:console:alice'), 10);
  });

  it('counts concurrent commands exactly', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => takeCommand(redis, carol, 10)));
    assert.equal(results.filter((r) => r.allowed).length, 10);
  });
});
