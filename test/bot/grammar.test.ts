// The command grammar: every platform's spelling of a command gives the same ParsedCommand, and
// every mistake gets a message precise enough to fix it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { approveActionId, commandOfAction, detailsActionId, planActionId, proposeActionId, rejectActionId, undoActionId } from '../../src/cards/action-ids.ts';
import { isGrammarError, parseCommand, type GrammarError, type Inventory, type ParsedCommand } from '../../src/bot/grammar.ts';
import { namesWithin } from '../../src/bot/grammar/inventory.ts';

const INVENTORY: Inventory = {
  hosts: [
    { id: 'work-pc', groups: ['office'], tags: ['cert'] },
    { id: 'work-pc2', groups: ['office'], tags: [] },
    { id: 'build01', groups: ['lab'], tags: ['cert', 'nla'] },
    { id: 'build02', groups: ['lab'], tags: [] },
    { id: 'build03', groups: ['lab'], tags: [] },
  ],
};

const ok = (text: string, opts = {}): ParsedCommand => {
  const r = parseCommand(text, INVENTORY, opts);
  if (isGrammarError(r)) assert.fail(`"${text}": ${r.message}`);
  return r;
};
const err = (text: string, opts = {}): GrammarError => {
  const r = parseCommand(text, INVENTORY, opts);
  if (!isGrammarError(r)) assert.fail(`"${text}" parsed: ${JSON.stringify(r)}`);
  return r;
};

describe('grammar: accepted spellings', () => {
  it('parses every subcommand', () => {
    assert.deepEqual(ok('check work-pc'), { kind: 'check', target: { by: 'host', name: 'work-pc' }, hosts: ['work-pc'] });
    assert.deepEqual(ok('fix work-pc enable-rdp'), { kind: 'fix', host: 'work-pc', fixId: 'enable-rdp' });
    assert.deepEqual(ok('undo work-pc u-7k3m9qzx'), { kind: 'undo', host: 'work-pc', undoId: 'u-7k3m9qzx' });
    assert.deepEqual(ok('status build01'), { kind: 'status', host: 'build01' });
    assert.deepEqual(ok('history build01'), { kind: 'history', host: 'build01' });
    assert.deepEqual(ok('hosts'), { kind: 'hosts' });
    assert.deepEqual(ok('help'), { kind: 'help', topic: null });
    assert.deepEqual(ok('help fix'), { kind: 'help', topic: 'fix' });
  });

  it('tolerates prefixes, mentions, case and extra spaces, the same result each time', () => {
    const want = { kind: 'fix', host: 'work-pc', fixId: 'enable-rdp' };
    for (const text of [
      '/rdp fix work-pc enable-rdp',
      '  /rdp   FIX   Work-PC   Enable-RDP  ',
      '@rdp-medic fix work-pc enable-rdp',
      '@rdp-medic: fix work-pc enable-rdp',
      '<@U0123ABC> fix work-pc enable-rdp',
      '<@!123456789012> fix work-pc enable-rdp',
      '<@U0123ABC|rdp-medic> /rdp fix work-pc enable-rdp',
      'fix\u00a0work-pc\tenable-rdp',
      'fix work-pc\u200b enable-rdp',
    ]) {
      assert.deepEqual(ok(text), want, text);
    }
  });

  it("accepts Discord's option style in any order", () => {
    assert.deepEqual(ok('check host:work-pc'), ok('check work-pc'));
    assert.deepEqual(ok('fix host:work-pc fix:enable-rdp'), { kind: 'fix', host: 'work-pc', fixId: 'enable-rdp' });
    assert.deepEqual(ok('fix fix:enable-rdp host:work-pc'), { kind: 'fix', host: 'work-pc', fixId: 'enable-rdp' });
    assert.deepEqual(ok('undo host:work-pc undo:u-7k3m9qzx'), { kind: 'undo', host: 'work-pc', undoId: 'u-7k3m9qzx' });
    assert.deepEqual(ok('check target:group:lab').kind, 'check');
  });

  it('unwraps a Slack auto-link around a host name', () => {
    assert.deepEqual(ok('check <http://work-pc|work-pc>'), ok('check work-pc'));
  });

  it('resolves groups and tags to inventory host ids', () => {
    assert.deepEqual(ok('check group:lab'), { kind: 'check', target: { by: 'group', name: 'lab' }, hosts: ['build01', 'build02', 'build03'] });
    assert.deepEqual(ok('check TAG:Cert'), { kind: 'check', target: { by: 'tag', name: 'cert' }, hosts: ['work-pc', 'build01'] });
  });

  it('with a scope (the hosts a user may check), a group or tag expands within it and counts the rest', () => {
    const within = (h: string): boolean => h !== 'build02';
    assert.deepEqual(ok('check group:lab', { within }), { kind: 'check', target: { by: 'group', name: 'lab' }, hosts: ['build01', 'build03'], outside: 1 });
    assert.deepEqual(ok('check tag:cert', { within }), { kind: 'check', target: { by: 'tag', name: 'cert' }, hosts: ['work-pc', 'build01'] });
    // Nothing in scope: no hosts, all counted outside (the policy decision refuses it in its words).
    assert.deepEqual(ok('check group:office', { within: () => false }), { kind: 'check', target: { by: 'group', name: 'office' }, hosts: [], outside: 2 });
    // The target limit counts the hosts in scope, not the whole group.
    assert.equal(ok('check group:lab', { within, maxTargets: 2 }).kind, 'check');
    assert.equal(err('check group:lab', { within: () => true, maxTargets: 2 }).code, 'too-many-targets');
    assert.equal(err('check group:lab', { within, maxTargets: 1 }).message, 'group:lab matches 2 hosts you may check; one command may target at most 1. Narrow it with a smaller group or a tag.');
    // A single host is not expanded: the policy decides it on its own.
    assert.deepEqual(ok('check build02', { within }), { kind: 'check', target: { by: 'host', name: 'build02' }, hosts: ['build02'] });
  });

  it('a bare mention or /rdp asks for help', () => {
    assert.deepEqual(ok('/rdp'), { kind: 'help', topic: null });
    assert.deepEqual(ok('<@U0123ABC>'), { kind: 'help', topic: null });
  });
});

describe('grammar: precise refusals', () => {
  it('unknown subcommand: the closest and the list', () => {
    const e = err('chek work-pc');
    assert.equal(e.code, 'unknown-subcommand');
    assert.equal(e.message, 'unknown command "chek"; did you mean "check"? Commands: check, fix, undo, status, history, hosts, help');
    assert.match(err('reboot work-pc').message, /^unknown command "reboot"\. Commands: check, fix, undo/);
  });

  it('missing argument: the usage line', () => {
    assert.equal(err('check').message, 'check needs a target; usage: check HOST | check group:NAME | check tag:NAME');
    assert.equal(err('fix work-pc').message, 'fix needs a fix id; usage: fix HOST FIX_ID');
    assert.equal(err('undo').message, 'undo needs a host and an undo id; usage: undo HOST UNDO_ID');
    assert.equal(err('check group:').code, 'missing-argument');
    assert.equal(err('fix host: enable-rdp').code, 'missing-argument');
  });

  it('too many arguments and misplaced options', () => {
    assert.equal(err('status work-pc build01').message, 'status does not take "build01"; usage: status HOST');
    assert.equal(err('hosts extra').code, 'too-many-arguments');
    assert.equal(err('status work-pc fix:enable-rdp').message, '"fix:" does not go with status; usage: status HOST');
    assert.equal(err('fix host:work-pc host:build01 enable-rdp').code, 'too-many-arguments');
  });

  it('unknown host: closest inventory names, or a group of that name', () => {
    const e = err('check work-pcc');
    assert.equal(e.code, 'unknown-host');
    assert.equal(e.message, 'unknown host "work-pcc": it is not in the inventory; did you mean "work-pc", "work-pc2"?');
    assert.match(err('status lab').message, /did you mean .*group:lab\?/);
    assert.match(err('status zzzzzzzzzz').message, /not in the inventory; `hosts` lists the inventory$/);
    assert.equal(err('fix nowhere enable-rdp').code, 'unknown-host');
  });

  it('unknown group or tag: the known ones', () => {
    assert.equal(err('check group:labs').message, 'unknown group "labs" (did you mean group:lab?); known groups: lab, office');
    assert.equal(err('check tag:zzz').message, 'unknown tag "zzz"; known tags: cert, nla');
    assert.equal(err('check site:paris').code, 'unknown-target-kind');
  });

  it('too many targets: how many matched and the limit', () => {
    const e = err('check group:lab', { maxTargets: 2 });
    assert.equal(e.code, 'too-many-targets');
    assert.equal(e.message, 'group:lab matches 3 hosts; one command may target at most 2. Narrow it with a smaller group or a tag.');
    assert.equal(ok('check group:lab', { maxTargets: 3 }).kind, 'check');
  });

  it('unknown fix id: closest and the catalogue', () => {
    const e = err('fix work-pc enable-rpd');
    assert.equal(e.code, 'unknown-fix');
    assert.match(e.message, /^unknown fix "enable-rpd"; did you mean "enable-rdp".*\? Fixes: enable-rdp, /);
  });

  it('bad characters never reach a host id', () => {
    for (const text of ['check work-pc;reboot', 'check $(whoami)', 'check work-pc`id`', 'check 10.0.0.1/24', 'check "work-pc"', 'check wörk-pc', 'check work-pc\u0000']) {
      assert.equal(err(text).code, 'bad-characters', text);
    }
    assert.equal(err('check work-pc;reboot').message, 'bad character ";" in "work-pc;reboot": commands use only letters, digits, ".", "_", "-" and ":"');
    assert.match(err('check wörk-pc').message, /^bad character U\+00F6 in "w\?rk-pc"/);
    assert.equal(err('check ' + 'a'.repeat(600)).code, 'too-long');
  });

  it('an address that is not in the inventory is refused, even a valid one', () => {
    assert.equal(err('check 10.0.0.5').code, 'unknown-host');
    assert.equal(err('check work-pc.evil.example').code, 'unknown-host');
  });
});

describe('grammar: a click is a command', () => {
  it('every button id stands for grammar text that parses to the same request', () => {
    const cases: [string, unknown][] = [
      [proposeActionId('work-pc', 'enable-rdp'), { kind: 'fix', host: 'work-pc', fixId: 'enable-rdp' }],
      [undoActionId('work-pc', 'u-7k3m9qzx'), { kind: 'undo', host: 'work-pc', undoId: 'u-7k3m9qzx' }],
      [approveActionId('a_abcdefgh12'), { kind: 'approve', approvalId: 'a_abcdefgh12' }],
      [rejectActionId('a_abcdefgh12'), { kind: 'reject', approvalId: 'a_abcdefgh12' }],
      [planActionId('a_abcdefgh12'), { kind: 'plan', approvalId: 'a_abcdefgh12' }],
      [detailsActionId('r-abcdefgh12'), { kind: 'details', requestId: 'r-abcdefgh12' }],
    ];
    for (const [id, parsed] of cases) assert.deepEqual(ok(commandOfAction(id)!), parsed, id);
  });

  it('a click naming a host outside the inventory meets the same host lookup as typed text', () => {
    assert.equal(err(commandOfAction(undoActionId('10.0.0.5', 'u-7k3m9qzx'))!).code, 'unknown-host');
  });

  it('ids we did not make, and malformed references, are refused', () => {
    assert.equal(commandOfAction('rm:-rf'), null);
    assert.equal(err('approve 12345').code, 'bad-reference');
    assert.equal(err('details a_abcdefgh12').code, 'bad-reference');
  });
});

it('namesWithin: only hosts in scope, and the groups and tags that hold one of them', () => {
  const inventory = { hosts: [
    { id: 'web-01', groups: ['web'], tags: ['iis'] },
    { id: 'db-01', groups: ['db'], tags: ['sql'] },
    { id: 'web-02', groups: ['web'], tags: ['iis', 'canary'] },
  ] };
  assert.deepEqual(namesWithin(inventory, (h) => h.startsWith('web')), { names: ['web-01', 'web-02'], groups: ['web'], tags: ['canary', 'iis'] });
  assert.deepEqual(namesWithin(inventory, () => false), { names: [], groups: [], tags: [] });
});
