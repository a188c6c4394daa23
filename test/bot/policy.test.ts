// Policy: the config format (defaults, validation with paths), roles from platform identities,
// decisions that say why and who can, roles scoped to inventory groups and tags, people with several
// accounts (four-eyes compares people), and the per-user rate limit against a real redis-server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatUser } from '../../src/chat/model.ts';
import { personOf, policyGate, rolesOf } from '../../src/policy/index.ts';
import { firstWithin, rateSubject, takeCommand } from '../../src/state/rate-limit.ts';
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

const HOSTS = {
  'lab-01': { groups: ['lab'], tags: ['cert'] },
  'lab-02': { groups: ['lab'], tags: [] },
  'kiosk-01': { groups: ['office'], tags: ['kiosk'] },
  'db-01': { groups: ['servers'], tags: [] },
};
const erin = user('slack', 'U0ERIN', 'erin');
const frank = user('discord', '555555555555555555', 'frank');
const SCOPED = Policy.parse({
  roles: {
    responder: ['console:alice'],
    'lab-responder': { members: ['slack:U0ERIN'], scope: ['group:lab', 'tag:kiosk'] },
    'lab-approver': { members: ['discord:555555555555555555'], scope: ['group:lab'] },
    approver: ['console:bob'],
  },
  approve: { safe: ['lab-approver', 'approver'], disruptive: ['lab-approver', 'approver'], 'weakens-security': ['approver'] },
});
const scoped = policyGate(SCOPED, HOSTS);

describe('policy: roles scoped to inventory groups and tags', () => {
  it('config: a role is a list (every host, as before) or { members, scope }; both load', () => {
    assert.deepEqual(SCOPED.roles['responder'], { members: ['console:alice'], scope: null });
    assert.deepEqual(SCOPED.roles['lab-responder'], { members: ['slack:U0ERIN'], scope: ['group:lab', 'tag:kiosk'] });
    assert.deepEqual(Policy.parse({ roles: { r: { members: ['console:x'] } } }).roles['r'], { members: ['console:x'], scope: null });
    const bad = Policy.safeParse({ roles: { r: { members: ['console:x'], scope: ['site:paris'] }, s: { members: ['console:y'], scope: [] }, t: 5 } });
    const problems = formatIssues(bad.error!.issues).join('\n');
    assert.match(problems, /roles\.r\.scope\.0: a scope entry is group:NAME or tag:NAME/);
    assert.match(problems, /roles\.s\.scope: a scope names at least one group:NAME or tag:NAME; leave it out to cover every host/);
    assert.match(problems, /roles\.t: a role is a list of identities, or \{ members/);
  });

  it('config: a parsed policy is a valid policy again (a running lab writes its config back out)', () => {
    const once = Policy.parse({ roles: { a: ['console:x'], b: { members: ['console:y'], scope: ['group:lab'] } }, people: { y: ['console:y', 'slack:U0Y'] } });
    assert.deepEqual(Policy.parse(once), once);
    assert.deepEqual(Policy.parse(JSON.parse(JSON.stringify(SCOPED))), SCOPED);
  });

  it('config: a scope names groups and tags the inventory has, or the file is refused with the known ones', () => {
    const host = { winrm: { url: 'https://h:5986/wsman', auth: 'ntlm', credential: 'c' }, groups: ['lab'], tags: ['cert'] };
    const base = { credentials: { c: { username: 'u', password: { env: 'P' } } }, hosts: { h: host } };
    assert.equal(Config.safeParse({ ...base, policy: { roles: { r: { members: ['console:x'], scope: ['group:LAB', 'tag:cert'] } } } }).success, true);
    const r = Config.safeParse({ ...base, policy: { roles: { r: { members: ['console:x'], scope: ['group:lab', 'group:labs', 'tag:nla'] } } } });
    assert.deepEqual(formatIssues(r.error!.issues), [
      'policy.roles.r.scope.1: no host has the group "labs"; the inventory\'s groups: lab',
      'policy.roles.r.scope.2: no host has the tag "nla"; the inventory\'s tags: cert',
    ]);
  });

  it('check: a scoped role covers its groups and tags only; out of scope says what it covers and who can', () => {
    assert.deepEqual(scoped.mayCheck(erin, 'lab-02'), { allowed: true });
    assert.deepEqual(scoped.mayCheck(erin, 'kiosk-01'), { allowed: true }, 'by tag');
    const no = scoped.mayCheck(erin, 'db-01');
    assert.equal(no.allowed === false && no.reason, '@erin may not check db-01: your roles (lab-responder) cover group:lab, tag:kiosk only. Who can: the responder role (console:alice) or the approver role (console:bob).');
    // An unscoped role covers every host, as before.
    assert.deepEqual(scoped.mayCheck(alice, 'db-01'), { allowed: true });
    // Without a host: whether they may check at all.
    assert.deepEqual(scoped.mayCheck(erin), { allowed: true });
    const checkable = scoped.checkable(erin);
    assert.deepEqual(Object.keys(HOSTS).filter(checkable), ['lab-01', 'lab-02', 'kiosk-01']);
  });

  it('fix: requesting is scoped the same way', () => {
    assert.deepEqual(scoped.mayRequestFix(erin, 'lab-01'), { allowed: true });
    const no = scoped.mayRequestFix(erin, 'db-01');
    assert.match(no.allowed === false ? no.reason : '', /^@erin may not request fixes on db-01: your roles \(lab-responder\) cover group:lab, tag:kiosk only\./);
  });

  it('approve: a scoped approver approves on its hosts only; who can names the roles that cover the host', () => {
    assert.deepEqual(scoped.mayApprove(frank, 'disruptive', alice, 'lab-02'), { allowed: true });
    const no = scoped.mayApprove(frank, 'disruptive', alice, 'kiosk-01');
    assert.equal(no.allowed === false && no.reason, '@frank may not approve disruptive fixes on kiosk-01: your roles (lab-approver) cover group:lab only. Who can: the approver role (console:bob).');
    const none = scoped.mayApprove(erin, 'safe', alice, 'db-01');
    assert.equal(none.allowed === false && none.reason, '@erin may not approve safe fixes: your roles (lab-responder) do not include it. Who can: the approver role (console:bob).');
  });

  it('a group none of whose hosts is in scope is refused in plain words', () => {
    const no = scoped.noneInScope(erin, 'group:servers', 1);
    assert.equal(no.allowed === false && no.reason, "@erin may not check group:servers: none of its 1 host is within your roles' scope (lab-responder: group:lab, tag:kiosk). Who can: the responder role (console:alice) or the lab-responder role (slack:U0ERIN) or the lab-approver role (discord:555555555555555555) or the approver role (console:bob).");
  });
});

const PEOPLE = Policy.parse({
  roles: { responder: ['console:alice', 'slack:U0ALICE', 'slack:U0BOB'], approver: ['slack:U0ALICE', 'discord:222222222222222222', 'console:bob'] },
  people: { alice: ['console:alice', 'slack:U0ALICE'], bob: ['slack:U0BOB', 'discord:222222222222222222'] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
});
const people = policyGate(PEOPLE);

describe('policy: people, not accounts', () => {
  const aliceConsole = user('console', 'alice', 'alice');
  const aliceSlack = user('slack', 'U0ALICE', 'alice.s');
  const bobSlack = user('slack', 'U0BOB', 'bob');
  const bobDiscord = user('discord', '222222222222222222', 'bob.d');
  const bobConsole = user('console', 'bob', 'bob');

  it('config: a person lists accounts, never groups; an account belongs to one person', () => {
    assert.equal(personOf(aliceSlack, PEOPLE), 'alice');
    assert.equal(personOf(bobConsole, PEOPLE), null);
    const r = Policy.safeParse({ people: { alice: ['slack-group:S0OPS'], bob: ['console:bob'], robert: ['console:bob'], nobody: [] } });
    const problems = formatIssues(r.error!.issues).join('\n');
    assert.match(problems, /people\.alice\.0: a person's account is slack:USER_ID, discord:USER_ID or console:NAME/);
    assert.match(problems, /people\.robert\.0: console:bob is already bob's account; an account belongs to one person/);
    assert.match(problems, /people\.nobody: a person lists at least one account/);
  });

  it('four-eyes: console + Slack accounts of one person are one person', () => {
    const r = people.mayApprove(aliceSlack, 'disruptive', aliceConsole);
    assert.equal(r.allowed === false && r.reason, '@alice.s may not approve their own disruptive fix (four-eyes): slack:U0ALICE and console:alice are both alice (policy.people); it needs someone else with the approver role (slack:U0ALICE, discord:222222222222222222, console:bob).');
  });

  it('four-eyes: Slack + Discord accounts of one person are one person; another person may approve', () => {
    const r = people.mayApprove(bobDiscord, 'safe', bobSlack);
    assert.equal(r.allowed, true, 'safe is not under four-eyes by default');
    const d = people.mayApprove(bobDiscord, 'weakens-security', bobSlack);
    assert.match(d.allowed === false ? d.reason : '', /^@bob\.d may not approve their own weakens-security fix \(four-eyes\): discord:222222222222222222 and slack:U0BOB are both bob \(policy\.people\);/);
    // console:bob is not listed under bob: another account, another person (as before).
    assert.deepEqual(people.mayApprove(bobConsole, 'weakens-security', bobSlack), { allowed: true });
    assert.deepEqual(people.mayApprove(aliceSlack, 'weakens-security', bobSlack), { allowed: true });
  });

  it('reject: any account of the requester may withdraw the request', () => {
    assert.deepEqual(people.mayReject(bobDiscord, 'disruptive', bobSlack), { allowed: true });
  });
});

describe('policy: rate limit (real redis-server)', () => {
  let server: RedisServer;
  let redis: Redis;
  const NO_PEOPLE = Policy.parse({});
  const take = (u: ChatUser, prefix = 'rdp-medic', policy = NO_PEOPLE) => takeCommand(redis, prefix, rateSubject(u, policy), 10);
  before(async () => {
    server = await startRedisServer();
    redis = createRedis({ url: server.url });
  });
  after(async () => {
    await redis.quit();
    await server.stop();
  });

  it('allows N commands a minute per user, then says how long to wait', async () => {
    for (let i = 0; i < 10; i++) {
      const taken = await take(alice);
      assert.ok(taken.allowed && taken.remaining === 9 - i && taken.token, JSON.stringify(taken));
    }
    const refused = await take(alice);
    assert.equal(refused.allowed, false);
    assert.ok(refused.allowed === false);
    assert.match(refused.reason, /^slow down: 10 commands a minute; try again in \d+ s$/);
    const seconds = Number(/in (\d+) s/.exec(refused.reason)![1]);
    assert.ok(seconds >= 1 && seconds <= 60, refused.reason);
    // Refusals are not counted, and other users have their own count.
    assert.equal((await take(alice)).allowed, false);
    assert.equal((await take(bob)).allowed, true);
    assert.equal(await redis.zcard('rdp-medic:rate:console:alice'), 10);
  });

  it('firstWithin: the first of many at once wins, and the key holds no platform text', async () => {
    const what = `replay ${'x'.repeat(5000)}`;
    const results = await Promise.all(Array.from({ length: 20 }, () => firstWithin(redis, 'rdp-medic', 'delivery:slack', what, 60_000)));
    assert.equal(results.filter(Boolean).length, 1);
    const keys = await redis.keys('rdp-medic:seen:delivery:slack:*');
    assert.equal(keys.length, 1);
    assert.ok(keys[0]!.length < 100 && !keys[0]!.includes('replay'), keys[0]);
    assert.equal(await firstWithin(redis, 'rdp-medic', 'delivery:discord', what, 60_000), true, 'another kind is another key');
  });

  it('one person with two accounts has one budget; another prefix (another deployment) has its own', async () => {
    const dave = { slack: user('slack', 'U0DAVE', 'dave'), discord: user('discord', '4242', 'dave') };
    const people = Policy.parse({ people: { dave: ['slack:U0DAVE', 'discord:4242'] } });
    for (let i = 0; i < 5; i++) assert.equal((await take(dave.slack, 'rdp-medic', people)).allowed, true);
    for (let i = 0; i < 5; i++) assert.equal((await take(dave.discord, 'rdp-medic', people)).allowed, true);
    const refused = await take(dave.discord, 'rdp-medic', people);
    assert.equal(refused.allowed, false, 'the Discord account spent the rest of the Slack account\'s budget');
    assert.equal(await redis.zcard('rdp-medic:rate:person:dave'), 10);
    assert.equal((await take(dave.slack, 'other-team', people)).allowed, true);
    assert.equal(await redis.zcard('other-team:rate:person:dave'), 1);
  });

  it('counts concurrent commands exactly', async () => {
    const results = await Promise.all(Array.from({ length: 30 }, () => take(carol)));
    assert.equal(results.filter((r) => r.allowed).length, 10);
  });
});
