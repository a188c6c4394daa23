// The console chat's rendering: Cards as terminal text, buttons as stable numbers that map back to
// action ids, decided cards without buttons, plain text unless colour is asked for.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Card, ChatUser } from '../../src/chat/model.ts';
import { approvalDecided, approvalRequest, fixResult, type ApprovalView } from '../../src/cards/index.ts';
import { renderCard, STATUS_MARKER } from '../../src/adapters/console/render.ts';
import { ActionNumbering, parseClick } from '../../src/adapters/console/render-numbering.ts';
import { colorEnabled } from '../../src/adapters/console/render-color.ts';
import { isYes, renderConfirm } from '../../src/adapters/console/render-confirm.ts';

const ALICE: ChatUser = { platform: 'console', id: 'alice', name: 'alice', groups: [] };
const BOB: ChatUser = { platform: 'console', id: 'bob', name: 'bob', groups: [] };
const APPROVAL: ApprovalView = {
  id: 'ap-1', host: 'work-pc', fixId: 'regenerate-rdp-certificate', title: 'Regenerate the RDP certificate', risk: 'safe',
  impact: { disruptive: false, weakensSecurity: false, drops: [], summary: 'Moves the expired certificate to a backup store and restarts SessionEnv.' },
  planSummary: ['Move the expired certificate to RdpMedicBackup', 'Restart SessionEnv'], requester: ALICE, expiresAt: '2026-11-02T09:15:00Z',
};
const ESC = '\u001b[';

const DIAGNOSIS_CARD: Card = {
  title: 'work-pc: RDP problem found',
  status: 'problem',
  sections: [
    { kind: 'text', text: 'The RDP certificate expired on 2026-10-01, so clients drop the TLS handshake (0x904 / 0x7).' },
    { kind: 'fields', fields: [{ label: 'RDP probe', value: 'failed at the tls stage (ECONNRESET)' }, { label: 'WinRM', value: '1 command' }] },
    { kind: 'code', text: 'stage: tls\nok: false' },
  ],
  actions: [{ id: 'propose:work-pc:regenerate-rdp-certificate', label: 'Fix: Replace the RDP certificate', style: 'primary' }],
  footer: 'Asked by @alice',
};

describe('console: renderCard', () => {
  test('header with a status marker, text, aligned fields, indented code, numbered actions, footer', () => {
    const out = renderCard(DIAGNOSIS_CARD, { numbering: new ActionNumbering() });
    assert.equal(out, [
      '[PROBLEM] work-pc: RDP problem found',
      '  The RDP certificate expired on 2026-10-01, so clients drop the TLS handshake (0x904 / 0x7).',
      '',
      '  RDP probe: failed at the tls stage (ECONNRESET)',
      '  WinRM:     1 command',
      '',
      '      stage: tls',
      '      ok: false',
      '',
      '  [1] Fix: Replace the RDP certificate',
      '  -- Asked by @alice',
    ].join('\n'));
  });

  test('every status has a marker', () => {
    for (const [status, marker] of Object.entries(STATUS_MARKER)) {
      const out = renderCard({ title: 't', status: status as Card['status'], sections: [], actions: [] }, { numbering: new ActionNumbering() });
      assert.equal(out, `[${marker}] t`);
    }
  });

  test('approval: "[n] Approve: …" lines; numbers are stable when the card is re-rendered and map back to ids', () => {
    const numbering = new ActionNumbering();
    renderCard(DIAGNOSIS_CARD, { numbering, messageId: 'm1' });
    const out = renderCard(approvalRequest(APPROVAL), { numbering, messageId: 'm2' });
    assert.match(out, /^ {2}\[2\] Approve: regenerate the RDP certificate$/m);
    assert.match(out, /^ {2}\[3\] Reject$/m);
    assert.match(out, /^ {2}\[4\] Show the PowerShell$/m);
    assert.equal(renderCard(approvalRequest(APPROVAL), { numbering, messageId: 'm2' }), out, 'same message, same numbers');
    assert.deepEqual(numbering.resolve(2), { actionId: 'approve:ap-1', messageId: 'm2' });
    assert.deepEqual(numbering.resolve(parseClick('/click 3') ?? 0), { actionId: 'reject:ap-1', messageId: 'm2' });
    assert.deepEqual(numbering.resolve(parseClick('1') ?? 0), { actionId: 'propose:work-pc:regenerate-rdp-certificate', messageId: 'm1' });
    assert.equal(numbering.resolve(99), undefined);
  });

  test('a decided approval shows no buttons and says who decided; old numbers are never reused', () => {
    const numbering = new ActionNumbering();
    renderCard(approvalRequest(APPROVAL), { numbering, messageId: 'm2' });
    const out = renderCard(approvalDecided(APPROVAL, { state: 'approved', by: BOB, at: '2026-11-02T09:03:00Z' }), { numbering, messageId: 'm2' });
    assert.doesNotMatch(out, /\[\d+\]/);
    assert.match(out, /^\[RUNNING\] Approved: regenerate the RDP certificate on work-pc, asked by @alice\n {2}Approved by @bob at 2026-11-02 09:03 UTC; it runs now\.$/m);
    const next = renderCard(fixResult({ host: 'work-pc', fix: 'regenerate-rdp-certificate', applied: true, verified: true, undoId: 'u-1', steps: [], message: 'done', after: null }), { numbering, messageId: 'm3' });
    assert.match(next, /^ {2}\[4\] Undo: Replace the RDP certificate with a new self-signed one \(asks to confirm\)$/m);
  });

  test('long text wraps under its indent; bullet items hang', () => {
    const long = Array.from({ length: 30 }, () => 'word').join(' ');
    const out = renderCard({ title: 't', status: 'info', sections: [{ kind: 'text', text: `• ${long}` }], actions: [] }, { numbering: new ActionNumbering(), width: 40 });
    const lines = out.split('\n').slice(1);
    assert.ok(lines.length > 1);
    assert.ok(lines.every((l) => l.length <= 40));
    assert.ok(lines[0]?.startsWith('  • word'));
    assert.ok(lines.slice(1).every((l) => l.startsWith('    word')));
  });
});

describe('console: colour', () => {
  test('plain text by default (no escape codes)', () => {
    assert.ok(!renderCard(DIAGNOSIS_CARD, { numbering: new ActionNumbering() }).includes(ESC));
  });
  test('ANSI only when asked: marker coloured by status, danger buttons red', () => {
    const card: Card = { ...DIAGNOSIS_CARD, actions: [{ id: 'reject:a', label: 'Reject', style: 'danger' }] };
    const out = renderCard(card, { numbering: new ActionNumbering(), color: true });
    assert.ok(out.startsWith(`${ESC}31m[PROBLEM]${ESC}39m`));
    assert.ok(out.includes(`[1] ${ESC}31mReject${ESC}39m`));
  });
  test('colorEnabled: a TTY without NO_COLOR (empty NO_COLOR does not count), never when piped or TERM=dumb', () => {
    assert.equal(colorEnabled({ isTTY: true }, {}), true);
    assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '1' }), false);
    assert.equal(colorEnabled({ isTTY: true }, { NO_COLOR: '' }), true);
    assert.equal(colorEnabled({ isTTY: false }, {}), false);
    assert.equal(colorEnabled({}, {}), false);
    assert.equal(colorEnabled({ isTTY: true }, { TERM: 'dumb' }), false);
  });
});

describe('console: clicks and confirms', () => {
  test('parseClick: "/click N", "click N", "N"; commands are not clicks', () => {
    assert.equal(parseClick('/click 3'), 3);
    assert.equal(parseClick('  click 12 '), 12);
    assert.equal(parseClick('7'), 7);
    for (const s of ['check work-pc', '/click', '/click x', '3 4', '']) assert.equal(parseClick(s), null, s);
  });
  test('renderConfirm: title, wrapped text, y/n; only "y"/"yes" confirms', () => {
    const card = approvalRequest({ ...APPROVAL, risk: 'disruptive', impact: { ...APPROVAL.impact, disruptive: true, drops: ['CONTOSO\\bob (session 2, active)'] } });
    const action = card.actions[0];
    assert.ok(action);
    const prompt = renderConfirm(action, { width: 60 }) ?? '';
    assert.match(prompt, /^Approve on work-pc\?\n/);
    assert.match(prompt, /It drops 1 RDP session: CONTOSO\\bob/);
    assert.match(prompt, /\[y\] Approve and run {3}\[n\] Cancel$/);
    assert.equal(renderConfirm(card.actions[1] ?? action), null, 'reject has no dialog');
    assert.equal(isYes('y'), true);
    assert.equal(isYes(' YES '), true);
    assert.equal(isYes(''), false);
    assert.equal(isYes('yep'), false);
  });
});
