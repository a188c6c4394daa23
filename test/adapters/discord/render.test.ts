// The Discord renderer: every card builder's output renders within Discord's limits (checked by the
// fake's own limit checker), huge cards are cut with a note rather than rejected, confirm warnings
// are written on the card, the on-call ping is the only mention, and buttons can be disabled.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Card, ChatUser } from '../../../src/chat/model.ts';
import {
  approvalDecided, approvalRequest, diagnosisDetails, diagnosisRoot, error, fixResult, fleetSummary, help, historyCard, hostsList, refused, requestAccepted, undoResult,
  type ApprovalView,
} from '../../../src/cards/index.ts';
import { buildHost } from '../../../src/lab/scenarios/index.ts';
import { executePlan } from '../../../src/lab/model/index.ts';
import { diagnose } from '../../../src/rdp/diagnose.ts';
import type { CheckTarget, Diagnosis } from '../../../src/rdp/types.ts';
import { renderCard, NO_CONFIRM_NOTE, PRESS_TWICE_NOTE, STATUS_COLOR } from '../../../src/adapters/discord/render.ts';
import { readCustomId } from '../../../src/adapters/discord/press-twice.ts';
import { embedChars } from '../../../src/adapters/discord/render-embeds.ts';
import { LIMITS } from '../../../src/adapters/discord/limits.ts';
import { messageProblems } from '../../fakes/discord/limits-check.ts';

const NOW = new Date('2026-11-02T09:00:00Z');
const ALICE: ChatUser = { platform: 'discord', id: '1000000000000000300', name: 'alice', groups: [] };
const BOB: ChatUser = { platform: 'discord', id: '1000000000000000301', name: 'bob', groups: [] };
const ROLE = '1000000000000000401';

const WEAKENS: ApprovalView = {
  id: 'ap-2x8z', host: 'work-pc', fixId: 'disable-nla-temporarily', title: 'Turn NLA off for 60 minutes (break-glass)', risk: 'weakens-security',
  impact: { disruptive: false, weakensSecurity: true, drops: [], summary: 'Turns NLA off on RDP-Tcp; a SYSTEM task turns it back on.' },
  planSummary: ['Schedule revert task in 60 minutes', 'Set RDP-Tcp UserAuthentication from 1 to 0'],
  requester: ALICE, expiresAt: '2026-11-02T09:15:00.000Z',
};

async function labDiagnosis(scenario: string): Promise<Diagnosis> {
  const model = buildHost([scenario], { computerName: 'work-pc', password: 'pw', now: NOW });
  const target: CheckTarget = { id: 'work-pc', address: '10.0.0.5', rdpHost: '10.0.0.5', rdpPort: 3389, winrmUrl: 'http://10.0.0.5:5985/wsman', rdpUsers: ['WORK-PC\\rdpuser'] };
  return diagnose(target, {
    runPlan: (plan) => Promise.resolve(executePlan(model, plan, NOW)),
    now: () => NOW,
    probe: {
      tcp: (o) => Promise.resolve({ port: o.port, state: 'open', ms: 1, error: null }),
      sample: () => Promise.resolve({ samples: [], ok: 3, lost: 0, lossPct: 0, minMs: 1, avgMs: 1, maxMs: 1, jitterMs: 0 }),
      rdp: () =>
        Promise.resolve({
          target: { host: '10.0.0.5', port: 3389 }, ok: false, stage: 'tls', error: { code: 'ECONNRESET', message: 'socket hang up' },
          tcp: { ok: true, ms: 1, error: null },
          negotiation: { requested: ['tls', 'hybrid', 'hybrid_ex'], selected: 'hybrid_ex', failure: null, failureCode: null, flags: 0x1f },
          tls: null, certificate: null, timingsMs: { tcpConnect: 1, x224: 1, tlsHandshake: null, total: 3 },
        }),
    },
  });
}

function assertWithinLimits(card: Card, label: string): void {
  for (const components of ['active', 'disabled', 'none'] as const) {
    const msg = renderCard(card, { oncallRoleId: ROLE, components });
    assert.deepEqual(messageProblems(msg), [], `${label} (${components}) breaks a Discord limit`);
    assert.ok(embedChars(msg.embeds) <= LIMITS.embedTotal, label);
    assert.ok(msg.embeds.length >= 1 && msg.embeds.length <= LIMITS.embedsPerMessage, label);
  }
}

describe('discord render: every card builder', async () => {
  const cert = await labDiagnosis('cert-expired');
  const cards: [string, Card][] = [
    ['requestAccepted', requestAccepted('work-pc', ALICE)],
    ['diagnosisRoot', diagnosisRoot(cert, ALICE)],
    ...diagnosisDetails(cert).map((c, i): [string, Card] => [`diagnosisDetails[${i}]`, c]),
    ['approvalRequest', approvalRequest({ ...WEAKENS, onCallMention: '@rdp-oncall' })],
    ['approvalDecided', approvalDecided(WEAKENS, { state: 'approved', by: BOB, at: '2026-11-02T09:03:00Z' })],
    ['fixResult', fixResult({ host: 'work-pc', fix: 'regenerate-rdp-certificate', applied: true, verified: true, undoId: 'u-7k2m9p4q', steps: [{ id: 'move-cert', op: 'cert.move', ok: true }], message: 'Applied and verified.', after: null })],
    ['undoResult', undoResult({ host: 'work-pc', undoId: 'u-7k2m9p4q', restored: true, verified: true, steps: [{ id: 'u1', op: 'cert.move', ok: true }], message: 'Undone, verified.' })],
    ['fleetSummary', fleetSummary([{ host: 'web-01', verdict: 'problem', headline: 'The firewall blocks RDP.' }, { host: 'db-01', verdict: 'ok', headline: 'Healthy.' }], 12, 2, { requestId: 'r-42', selector: 'group:lab' })],
    ['help', help([{ usage: 'check HOST|group:NAME|tag:NAME', summary: 'Diagnose RDP' }, { usage: 'hosts', summary: 'List the inventory' }], { prefix: '/rdp' })],
    ['historyCard', historyCard([{ at: '2026-11-02T09:00:00Z', kind: 'command', actor: '@alice', text: 'check work-pc' }], 'work-pc')],
    ['hostsList', hostsList([{ id: 'work-pc', address: 'work-pc.corp.example', groups: ['lab'], tags: ['win11'] }, { id: 'db-01' }])],
    ['refused', refused('you may not approve your own disruptive fix')],
    ['error', error('WinRM timed out')],
  ];
  for (const [name, card] of cards) {
    test(`${name} renders within the limits, titled, coloured by status, every action a button`, () => {
      assertWithinLimits(card, name);
      const msg = renderCard(card);
      assert.equal(msg.embeds[0]?.color, STATUS_COLOR[card.status]);
      assert.ok(msg.embeds[0]?.title);
      const ids = msg.components.flatMap((r) => r.components.map((b) => readCustomId(b.custom_id).actionId));
      assert.deepEqual(ids, card.actions.map((a) => a.id));
    });
  }

  test('the approval request: buttons styled, the confirm warning written on the card', () => {
    const card = approvalRequest(WEAKENS);
    const msg = renderCard(card);
    const buttons = msg.components.flatMap((r) => r.components);
    // Slack's colours: Approve on a weakening fix red (Danger 4) and marked for a second press; Reject and plan grey (Secondary 2).
    assert.deepEqual(buttons.map((b) => [b.custom_id, b.style]), [['2x:approve:ap-2x8z', 4], ['reject:ap-2x8z', 2], ['plan:ap-2x8z', 2]]);
    const text = msg.embeds.map((e) => e.description ?? '').join('\n');
    assert.match(text, /⚠️ \*\*Approve: turn NLA off for 60 minutes \(break-glass\)\*\* \(press twice\): Approve on work-pc\? .*It weakens security until it reverts itself/);
    assert.ok(text.includes(PRESS_TWICE_NOTE));
    assert.ok(!text.includes(NO_CONFIRM_NOTE));
    assert.equal(msg.content, '', 'no ping without notify');
    assert.deepEqual(msg.allowed_mentions, { parse: [] });
  });
});

describe('discord render: button colours follow risk, as on Slack', () => {
  const styles = (view: ApprovalView) => renderCard(approvalRequest(view)).components.flatMap((r) => r.components).map((b) => [b.custom_id, b.style]);
  test('safe: Approve green (Success 3), no second press; disruptive: Approve red (Danger 4), pressed once; Reject and plan grey', () => {
    const safe: ApprovalView = { ...WEAKENS, id: 'ap-s1', risk: 'safe', impact: { disruptive: false, weakensSecurity: false, drops: [], summary: 'Starts TermService.' } };
    assert.deepEqual(styles(safe), [['approve:ap-s1', 3], ['reject:ap-s1', 2], ['plan:ap-s1', 2]]);
    const disruptive: ApprovalView = { ...WEAKENS, id: 'ap-d1', risk: 'disruptive', impact: { disruptive: true, weakensSecurity: false, drops: [], summary: 'Restarts TermService.' } };
    assert.deepEqual(styles(disruptive), [['approve:ap-d1', 4], ['reject:ap-d1', 2], ['plan:ap-d1', 2]]);
    const text = renderCard(approvalRequest(disruptive)).embeds.map((e) => e.description ?? '').join('\n');
    assert.ok(text.includes(NO_CONFIRM_NOTE), 'a disruptive Approve acts at once, and the card says so');
  });
});

describe('discord render: limits on huge cards', () => {
  const big = 'x'.repeat(9000);
  const huge: Card = {
    title: 'T'.repeat(400),
    status: 'problem',
    sections: [
      { kind: 'text', text: `${big}\nend` },
      { kind: 'fields', fields: Array.from({ length: 40 }, (_, i) => ({ label: `label ${i} ${'l'.repeat(300)}`, value: 'v'.repeat(2000) })) },
      { kind: 'code', text: Array.from({ length: 500 }, (_, i) => `line ${i} \`\`\` ${'c'.repeat(30)}`).join('\n') },
      { kind: 'text', text: 'after the code' },
    ],
    actions: Array.from({ length: 30 }, (_, i) => ({ id: `details:r-${i}`, label: `Button ${i} ${'b'.repeat(100)}`, style: 'default' as const, confirm: { title: 'Sure?', text: 'w'.repeat(900), confirm: 'Yes', deny: 'No' } })),
    footer: 'f'.repeat(3000),
    notify: 'oncall',
  };

  test('stays within every limit, and says what it left out', () => {
    assertWithinLimits(huge, 'huge');
    const msg = renderCard(huge, { oncallRoleId: ROLE });
    const all = msg.embeds.map((e) => e.description ?? '').join('\n');
    assert.match(all, /more characters not shown|more parts? of this card not shown/);
    assert.match(all, /5 buttons could not be shown \(a message holds at most 25 buttons\)/);
    assert.equal(msg.components.length, 5);
    assert.ok(msg.components.every((r) => r.components.length === 5));
    assert.ok(msg.components.flatMap((r) => r.components).every((b) => (b.label ?? '').length <= 80));
    assert.equal(msg.embeds[0]?.title?.length, 256);
  });

  test('a long code section is split into fenced blocks that each close, and a fence in the code cannot close them early', () => {
    const card: Card = { title: 'log', status: 'info', sections: [{ kind: 'code', text: Array.from({ length: 300 }, (_, i) => `line ${i} \`\`\` tail`).join('\n') }], actions: [] };
    const msg = renderCard(card);
    assert.deepEqual(messageProblems(msg), []);
    for (const e of msg.embeds) {
      const d = e.description ?? '';
      const fences = d.match(/```/g)?.length ?? 0;
      assert.equal(fences % 2, 0, 'every block is closed');
    }
    assert.ok(msg.embeds.length >= 2, 'split across embeds');
    assert.match(msg.embeds.map((e) => e.description).join('\n'), /line 299 `\u200b`` tail/);
  });

  test('ids Discord cannot carry are left out with a note, never sent', () => {
    const card: Card = { title: 't', status: 'info', sections: [], actions: [{ id: 'x'.repeat(101), label: 'Long', style: 'primary' }, { id: 'ok:1', label: 'Ok', style: 'primary' }, { id: 'ok:1', label: 'Twice', style: 'primary' }] };
    const msg = renderCard(card);
    assert.deepEqual(msg.components.flatMap((r) => r.components.map((b) => b.custom_id)), ['ok:1']);
    assert.match(msg.embeds.at(-1)?.description ?? '', /2 buttons could not be shown/);
  });
});

describe('discord render: mentions and components', () => {
  const card: Card = { title: 'Approval needed on work-pc', status: 'pending', sections: [{ kind: 'text', text: '@everyone <@&999999999999999999> hi' }], actions: [{ id: 'approve:a1', label: 'Approve', style: 'primary' }], notify: 'oncall' };

  test("notify:'oncall' pings the on-call role and nothing else", () => {
    const msg = renderCard(card, { oncallRoleId: ROLE });
    assert.match(msg.content, new RegExp(`^<@&${ROLE}> Approval needed on work-pc$`));
    assert.deepEqual(msg.allowed_mentions, { parse: [], roles: [ROLE] });
  });

  test('without notify there is no ping, even with a role configured', () => {
    const msg = renderCard({ ...card, notify: undefined }, { oncallRoleId: ROLE });
    assert.equal(msg.content, '');
    assert.deepEqual(msg.allowed_mentions, { parse: [] });
  });

  test('disabled components keep the buttons greyed out and drop the warnings; none removes them', () => {
    const disabled = renderCard(card, { components: 'disabled' });
    assert.deepEqual(disabled.components[0]?.components.map((b) => b.disabled), [true]);
    assert.deepEqual(renderCard(card, { components: 'none' }).components, []);
  });

  test('markdown in card text is shown literally', () => {
    const msg = renderCard({ title: 'work_pc *bold*', status: 'ok', sections: [{ kind: 'text', text: 'a_b_c' }], actions: [] });
    assert.equal(msg.embeds[0]?.title, 'work\\_pc \\*bold\\*');
    assert.equal(msg.embeds[0]?.description, 'a\\_b\\_c');
  });
});
