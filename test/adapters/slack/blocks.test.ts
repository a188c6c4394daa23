// Block Kit rendering: every card builder's output renders inside Slack's limits (checked by the
// fake's independent limit checker), long content is split or cut with a note, buttons keep their
// ids, confirm dialogs fit, text is escaped, and notify:'oncall' pings the configured user group.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Card, ChatUser } from '../../../src/chat/model.ts';
import type { Diagnosis, Finding } from '../../../src/rdp/types.ts';
import {
  approvalDecided, approvalRequest, diagnosisDetails, diagnosisRoot, error, fixResult, fleetSummary, help, historyCard, hostsList, refused,
  requestAccepted, undoResult, type ApprovalView, type FleetHostResult,
} from '../../../src/cards/index.ts';
import { fallbackText, renderCard } from '../../../src/adapters/slack/render.ts';
import type { SlackBlock, SlackMessage } from '../../../src/adapters/slack/block-types.ts';
import { chunk, cut, escapeMrkdwn } from '../../../src/adapters/slack/mrkdwn.ts';
import { blockLimitViolations } from '../../fakes/slack/block-limits.ts';

const ALICE: ChatUser = { platform: 'slack', id: 'U01', name: 'alice', groups: [] };

function finding(i: number, verdict: Finding['verdict'], evidenceChars = 200): Finding {
  return {
    check: 'tls-cipher-fips', title: `Check number ${i} passes`, verdict, severity: 'high',
    summary: `Finding ${i}: something is wrong <here> & there.`,
    explanation: 'Why it matters: '.repeat(20),
    evidence: { value: 'x'.repeat(evidenceChars), index: i },
    fix: verdict === 'problem' ? { id: `fix-${i}`, title: `Fix thing ${i}`, risk: i % 3 === 0 ? 'disruptive' : 'safe', impact: 'Restarts TermService. '.repeat(30) } : null,
  };
}

function diagnosis(n: number): Diagnosis {
  const findings = Array.from({ length: n }, (_, i) => finding(i, i % 4 === 0 ? 'problem' : i % 4 === 1 ? 'warning' : i % 4 === 2 ? 'unknown' : 'ok', 3_000));
  return { host: 'work-pc', verdict: 'problem', headline: 'The certificate expired.', findings, timingsMs: { probes: 1, plan: 1, total: 2 }, winrmCommands: 1 };
}

const APPROVAL: ApprovalView = {
  id: 'ap-9q2m', host: 'work-pc', fixId: 'reset-rdp-port', title: 'Move RDP back to port 3389', risk: 'disruptive',
  impact: { disruptive: true, weakensSecurity: false, drops: ['CONTOSO\\bob (session 2, active)'], summary: 'Sets PortNumber back to 3389 and restarts TermService. '.repeat(10) },
  planSummary: ['Set RDP-Tcp PortNumber from 3390 to 3389', 'Restart TermService'], requester: ALICE, expiresAt: '2026-11-02T09:15:00.000Z',
};

function assertWithinLimits(messages: SlackMessage[], what: string): void {
  assert.ok(messages.length >= 1, `${what}: no message`);
  messages.forEach((m, i) => {
    assert.deepEqual(blockLimitViolations(m.blocks), [], `${what} part ${i + 1}`);
    assert.ok(m.text.length > 0 && m.text.length <= 3000, `${what} part ${i + 1}: fallback text length ${m.text.length}`);
  });
}

const allText = (blocks: SlackBlock[]): string =>
  blocks
    .map((b) => (b.type === 'section' ? [b.text?.text ?? '', ...(b.fields ?? []).map((f) => f.text)].join('\n') : b.type === 'header' ? b.text.text : b.type === 'context' ? b.elements.map((e) => e.text).join(' ') : ''))
    .join('\n');

describe('slack blocks: every card builder renders within limits', () => {
  const cards: [string, Card][] = [
    ['requestAccepted', requestAccepted('work-pc', ALICE)],
    ['diagnosisRoot', diagnosisRoot(diagnosis(30), ALICE)],
    ...diagnosisDetails(diagnosis(30)).map((c, i): [string, Card] => [`diagnosisDetails[${i}]`, c]),
    ['approvalRequest', approvalRequest(APPROVAL)],
    ['approvalDecided', approvalDecided(APPROVAL, { state: 'approved', by: ALICE, at: '2026-11-02T09:05:00Z' })],
    ['fixResult', fixResult({ host: 'work-pc', fix: 'regenerate-rdp-certificate', applied: true, verified: true, undoId: 'u-7k2m9p4q', steps: [], message: 'Applied and verified.', after: null })],
    ['undoResult', undoResult({ host: 'work-pc', undoId: 'u-7k2m9p4q', restored: true, verified: true, steps: [], message: 'Undone.' })],
    ['fleetSummary', fleetSummary(Array.from({ length: 500 }, (_, i): FleetHostResult => ({ host: `host-${i}`, verdict: i % 2 ? 'ok' : 'problem', headline: 'TermService is stopped. '.repeat(5) })), 500, 500, { requestId: 'r-1' })],
    ['help', help([{ usage: 'check HOST', summary: 'Diagnose RDP on a host' }, { usage: 'hosts', summary: 'List hosts' }])],
    ['historyCard', historyCard(Array.from({ length: 100 }, (_, i) => ({ at: '2026-11-02T09:00:00Z', kind: 'command', actor: '@alice', text: `check number ${i} `.repeat(20) })), 'work-pc')],
    ['hostsList', hostsList(Array.from({ length: 300 }, (_, i) => ({ id: `host-${i}`, address: `10.0.0.${i % 250}`, groups: ['lab'], tags: ['win11'] })))],
    ['refused', refused('You may not approve your own disruptive fix.')],
    ['error', error('Redis is unreachable.')],
  ];
  for (const [name, card] of cards) {
    test(name, () => {
      const parts = renderCard(card);
      assertWithinLimits(parts, name);
      const [first] = parts;
      assert.equal(first?.blocks.some((b) => b.type === 'header'), true);
      // Every card action is a button on the first message, id and value both the action id.
      const buttons = first?.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])) ?? [];
      assert.deepEqual(buttons.map((b) => [b.action_id, b.value]), card.actions.map((a) => [a.id, a.id]));
    });
  }
});

describe('slack blocks: limits hold for very large cards', () => {
  test('a diagnosis-like card with 120 long findings splits into parts, each within limits, and says so', () => {
    const sections = diagnosis(120).findings.flatMap((f) => [
      { kind: 'text' as const, text: `${f.summary}\n${f.explanation}` },
      { kind: 'code' as const, text: JSON.stringify(f.evidence, null, 2) },
    ]);
    const card: Card = { title: 'work-pc: RDP problem found', status: 'problem', sections, actions: [{ id: 'details:r-1', label: 'Details', style: 'default' }], footer: 'Asked by @alice' };
    const parts = renderCard(card);
    assertWithinLimits(parts, 'huge');
    assert.equal(parts.length, 5, 'capped at MAX_CARD_PARTS');
    assert.match(allText(parts[0]?.blocks ?? []), /Part 1 of 5; continued in the thread\./);
    assert.match(allText(parts[4]?.blocks ?? []), /Part 5 of 5\. … \d+ more blocks not shown \(Slack message limits\)\./);
    // The buttons stay on the first part (the one updated later).
    assert.equal(parts.slice(1).some((p) => p.blocks.some((b) => b.type === 'actions')), false);
    assert.equal(parts[0]?.blocks.some((b) => b.type === 'actions'), true);
    assert.match(parts[1]?.text ?? '', /\(part 2 of 5\)$/);
  });

  test('an update (maxParts 1) is cut to one message with a note of how much is hidden', () => {
    const card: Card = { title: 't', status: 'ok', sections: Array.from({ length: 80 }, (_, i) => ({ kind: 'text' as const, text: `line ${i}` })), actions: [] };
    const [only, ...rest] = renderCard(card, { maxParts: 1 });
    assert.equal(rest.length, 0);
    assertWithinLimits([only as SlackMessage], 'update');
    assert.match(allText(only?.blocks ?? []), /… 32 more blocks not shown/);
  });

  test('a 10,000-character text section is split into sections of at most 3,000, nothing lost', () => {
    const text = Array.from({ length: 400 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'y'.repeat(18)}`).join('\n');
    const [m] = renderCard({ title: 't', status: 'info', sections: [{ kind: 'text', text }], actions: [] });
    const sections = m?.blocks.filter((b) => b.type === 'section') ?? [];
    assert.ok(sections.length >= 4);
    assert.equal(sections.map((s) => (s.type === 'section' ? s.text?.text : '')).join('\n'), text);
  });

  test('long code is split into several fenced blocks; backticks inside cannot close the fence', () => {
    const code = `${'z'.repeat(7000)}\n\`\`\`inject`;
    const [m] = renderCard({ title: 't', status: 'info', sections: [{ kind: 'code', text: code }], actions: [] });
    const texts = (m?.blocks ?? []).flatMap((b) => (b.type === 'section' && b.text ? [b.text.text] : []));
    assert.equal(texts.length, 3);
    for (const t of texts) {
      assert.ok(t.startsWith('```') && t.endsWith('```') && t.length <= 3000);
      assert.equal(t.slice(3, -3).includes('```'), false);
    }
  });

  test('25 fields become three sections (10, 10, 5); long values are cut to 2,000', () => {
    const fields = Array.from({ length: 25 }, (_, i) => ({ label: `F${i}`, value: i === 0 ? 'v'.repeat(5000) : 'ok' }));
    const [m] = renderCard({ title: 't', status: 'info', sections: [{ kind: 'fields', fields }], actions: [] });
    const groups = (m?.blocks ?? []).flatMap((b) => (b.type === 'section' && b.fields ? [b.fields] : []));
    assert.deepEqual(groups.map((g) => g.length), [10, 10, 5]);
    assert.equal(groups[0]?.[0]?.text.length, 2000);
    assert.ok(groups[0]?.[0]?.text.endsWith('…'));
  });

  test('30 buttons: two actions blocks; labels and confirm texts cut to their limits', () => {
    const actions = Array.from({ length: 30 }, (_, i) => ({
      id: `propose:host-${i}:fix`, label: `Fix: ${'very long label '.repeat(10)}`, style: 'danger' as const,
      confirm: { title: 'T'.repeat(150), text: 'X'.repeat(1000), confirm: 'Yes, really do it right now', deny: 'No, do not do this thing ever' },
    }));
    const [m] = renderCard({ title: 't', status: 'pending', sections: [], actions });
    assertWithinLimits([m as SlackMessage], 'buttons');
    const blocks = m?.blocks.filter((b) => b.type === 'actions') ?? [];
    assert.deepEqual(blocks.map((b) => (b.type === 'actions' ? b.elements.length : 0)), [25, 5]);
    const first = blocks[0]?.type === 'actions' ? blocks[0].elements[0] : undefined;
    assert.equal(first?.style, 'danger');
    assert.equal(first?.confirm?.style, 'danger');
    assert.equal(first?.text.text.length, 75);
    assert.equal(first?.confirm?.title.text.length, 100);
    assert.equal(first?.confirm?.text.text.length, 300);
  });
});

describe('slack blocks: content', () => {
  test('header carries the status emoji; fallback text the status word; styles map; default has no style', () => {
    const card = approvalRequest({ ...APPROVAL, risk: 'safe', impact: { ...APPROVAL.impact, disruptive: false, drops: [] } });
    const [m] = renderCard(card);
    assert.deepEqual(m?.blocks[0], { type: 'header', text: { type: 'plain_text', text: ':raised_hand: @alice asks to move RDP back to port 3389 on work-pc', emoji: true } });
    assert.equal(m?.text, 'Pending: @alice asks to move RDP back to port 3389 on work-pc');
    const buttons = m?.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])) ?? [];
    assert.deepEqual(buttons.map((b) => b.style), ['primary', undefined, undefined]);
    assert.equal(buttons[0]?.confirm, undefined);
  });

  test('a disruptive approval: the approve button is danger with a danger confirm dialog with the card texts; Reject has no style', () => {
    const [m] = renderCard(approvalRequest(APPROVAL));
    const [approve, reject] = m?.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])) ?? [];
    assert.equal(approve?.style, 'danger');
    assert.equal(approve?.confirm?.style, 'danger');
    assert.equal(reject?.style, undefined);
    assert.equal(approve?.confirm?.title.text, 'Approve on work-pc?');
    assert.equal(approve?.confirm?.confirm.text, 'Approve and run');
    assert.equal(approve?.confirm?.deny.text, 'Cancel');
  });

  test('user and host text is escaped: no <!channel>, links or mentions can be injected', () => {
    const card: Card = { title: 'x', status: 'info', sections: [{ kind: 'text', text: 'hi <!channel> <@U999> & <https://evil|click>' }, { kind: 'fields', fields: [{ label: '<b>', value: '<!here>' }] }], actions: [], footer: '<!everyone>' };
    const [m] = renderCard(card);
    const text = allText(m?.blocks ?? []);
    assert.equal(/<[!@h]/.test(text), false, text);
    assert.match(text, /hi &lt;!channel&gt; &lt;@U999&gt; &amp; &lt;https:\/\/evil\|click&gt;/);
    assert.match(fallbackText({ ...card, title: '<!channel>' }), /&lt;!channel&gt;/);
  });

  test("notify:'oncall' pings the configured user group in the text and the first block; without a group, nothing", () => {
    const card: Card = { title: 'Approval needed', status: 'pending', sections: [], actions: [], notify: 'oncall' };
    const [m] = renderCard(card, { oncallGroupId: 'S0ONCALL' });
    assert.equal(m?.text, '<!subteam^S0ONCALL> Pending: Approval needed');
    assert.deepEqual(m?.blocks[0], { type: 'section', text: { type: 'mrkdwn', text: '<!subteam^S0ONCALL> this needs on-call attention.' } });
    const [plain] = renderCard(card);
    assert.equal(plain?.text, 'Pending: Approval needed');
    assert.equal(plain?.blocks[0]?.type, 'header');
    const [notNotify] = renderCard({ ...card, notify: undefined }, { oncallGroupId: 'S0ONCALL' });
    assert.equal(notNotify?.text.includes('subteam'), false);
  });

  test('empty text sections are dropped; an empty field value shows a dash; the footer is context', () => {
    const [m] = renderCard({ title: 't', status: 'ok', sections: [{ kind: 'text', text: '  ' }, { kind: 'fields', fields: [{ label: 'A', value: '' }] }], actions: [], footer: 'f' });
    assert.deepEqual(m?.blocks.slice(1), [
      { type: 'section', fields: [{ type: 'mrkdwn', text: '*A*\n—' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'f' }] },
    ]);
  });
});

describe('slack mrkdwn helpers', () => {
  test('cut never leaves half an entity; chunk keeps every character and respects the limit', () => {
    assert.equal(cut(escapeMrkdwn('aaaa<'), 7), 'aaaa…');
    const s = escapeMrkdwn('<>&'.repeat(2000));
    const parts = chunk(s, 3000);
    assert.equal(parts.join(''), s);
    for (const p of parts) {
      assert.ok(p.length <= 3000);
      assert.equal(/&[a-z]*$/.test(p), false, 'no split entity');
    }
  });
});
