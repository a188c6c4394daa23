// Approval cards: the buttons, ids, styles and confirm texts for each risk class, and the decided
// card whose buttons are replaced by who decided what and when.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChatUser } from '../../src/chat/model.ts';
import { plainMentions } from '../../src/chat/mention.ts';
import { approvalDecided, approvalRequest, parseActionId, type DecidedState, type ApprovalView } from '../../src/cards/index.ts';

const ALICE: ChatUser = { platform: 'slack', id: 'U01', name: 'alice', groups: ['rdp-responders'] };
const BOB: ChatUser = { platform: 'slack', id: 'U02', name: 'bob', groups: ['rdp-approvers'] };

const SAFE: ApprovalView = {
  id: 'ap-7f3k', host: 'work-pc', fixId: 'regenerate-rdp-certificate', title: 'Regenerate the RDP certificate', risk: 'safe',
  impact: { disruptive: false, weakensSecurity: false, drops: [], summary: 'Moves the expired certificate to a backup store and restarts SessionEnv; Windows makes a new one.' },
  planSummary: ['Move certificate 4E3F…1D1AB from "Remote Desktop" to RdpMedicBackup', 'Restart SessionEnv'],
  requester: ALICE, expiresAt: '2026-11-02T09:15:00.000Z',
};
const DISRUPTIVE: ApprovalView = {
  ...SAFE, id: 'ap-9q2m', fixId: 'reset-rdp-port', title: 'Move RDP back to port 3389', risk: 'disruptive',
  impact: { disruptive: true, weakensSecurity: false, drops: ['CONTOSO\\bob (session 2, active)', 'CONTOSO\\eve (session 3, disconnected)'], summary: 'Sets PortNumber back to 3389 and restarts TermService.' },
  planSummary: ['Set RDP-Tcp PortNumber from 3390 to 3389', 'Restart TermService'],
};
const WEAKENS: ApprovalView = {
  ...SAFE, id: 'ap-2x8z', fixId: 'disable-nla-temporarily', title: 'Turn NLA off for 60 minutes (break-glass)', risk: 'weakens-security',
  impact: { disruptive: false, weakensSecurity: true, drops: [], summary: 'Turns NLA off on RDP-Tcp; a SYSTEM task turns it back on.' },
  planSummary: ['Schedule revert task rdp-medic-revert-disable-nla-temporarily-1a2b3c4d in 60 minutes', 'Set RDP-Tcp UserAuthentication from 1 to 0'],
  onCallMention: '@rdp-oncall',
};

const allText = (a: ReturnType<typeof approvalRequest>): string =>
  a.sections.map((s) => (s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : s.text)).join('\n');

describe('cards: approvalRequest', () => {
  test('safe: who asks for what, approve (primary, no confirm), reject and plan (default)', () => {
    const card = approvalRequest(SAFE);
    assert.equal(card.title, '@alice asks to regenerate the RDP certificate on work-pc');
    assert.equal(card.status, 'pending');
    assert.deepEqual(card.actions, [
      { id: 'approve:ap-7f3k', label: 'Approve: regenerate the RDP certificate', style: 'primary' },
      { id: 'reject:ap-7f3k', label: 'Reject', style: 'default' },
      { id: 'plan:ap-7f3k', label: 'Show the PowerShell', style: 'default' },
    ]);
    const text = allText(card);
    assert.match(text, /^Risk: safe$/m);
    assert.match(text, /^Disrupts: Nobody is disconnected\.$/m);
    assert.match(text, /^Security: It does not weaken security\.$/m);
    assert.match(text, /^What will change:\n• Move certificate .* to RdpMedicBackup\n• Restart SessionEnv$/m);
    assert.match(text, /Approve by 2026-11-02 09:15 UTC; after that the request expires/);
    assert.equal(plainMentions(card.footer ?? ''), 'approval ap-7f3k · fix regenerate-rdp-certificate · requested by @alice');
    assert.deepEqual(card.actions.map((a) => parseActionId(a.id)), [
      { kind: 'approve', approvalId: 'ap-7f3k' }, { kind: 'reject', approvalId: 'ap-7f3k' }, { kind: 'plan', approvalId: 'ap-7f3k' },
    ]);
  });

  test('disruptive: approve is danger and asks to confirm, naming the dropped sessions, that security is unchanged, and what changes', () => {
    const card = approvalRequest(DISRUPTIVE);
    const approve = card.actions[0];
    assert.equal(approve?.id, 'approve:ap-9q2m');
    assert.equal(approve?.style, 'danger');
    assert.equal(approve?.confirm?.pressTwice, undefined, 'a second press only for weakening fixes');
    assert.equal(card.actions[1]?.style, 'default', 'Reject is never the alarming button');
    assert.ok(approve?.confirm);
    assert.equal(approve.confirm.title, 'Approve on work-pc?');
    assert.equal(
      approve.confirm.text,
      'It drops 2 RDP sessions: CONTOSO\\bob (session 2, active), CONTOSO\\eve (session 3, disconnected); unsaved work may be lost. ' +
        'It does not weaken security. Sets PortNumber back to 3389 and restarts TermService.',
    );
    assert.equal(approve.confirm.confirm, 'Approve and run');
    assert.equal(approve.confirm.deny, 'Cancel');
    assert.match(allText(card), /^Risk: disruptive$/m);
    assert.equal(card.actions[1]?.confirm, undefined, 'rejecting changes nothing: no dialog');
  });

  test('weakens-security: confirm says it weakens security and reverts itself after N minutes; the on-call is pinged', () => {
    const card = approvalRequest(WEAKENS);
    assert.equal(card.title, '@alice asks to turn NLA off for 60 minutes (break-glass) on work-pc');
    const confirm = card.actions[0]?.confirm;
    assert.ok(confirm);
    assert.equal(card.actions[0]?.style, 'danger');
    assert.equal(confirm.pressTwice, true, 'Discord asks for a second press');
    assert.match(confirm.text, /^Nobody is disconnected\. It weakens security until it reverts itself on the host after 60 minutes\. Turns NLA off/);
    assert.equal(card.sections[0]?.kind === 'text' && card.sections[0].text, '@rdp-oncall: an approval is needed.');
    assert.match(allText(card), /^Risk: weakens security$/m);
    // An explicit time box from the plan wins over the catalogue's.
    assert.match(approvalRequest({ ...WEAKENS, timeBoxMinutes: 30 }).actions[0]?.confirm?.text ?? '', /after 30 minutes/);
  });

  test('what a fix opens up is named in the confirm, not "does not weaken security"', () => {
    const firewall: ApprovalView = {
      ...SAFE, id: 'ap-fw01', fixId: 'enable-rdp-firewall-rules', title: 'Enable the Remote Desktop firewall rules', risk: 'weakens-security',
      impact: { disruptive: false, weakensSecurity: true, drops: [], summary: 'Enables the built-in inbound rules.', exposes: 'opens TCP and UDP 3389 to any address' },
    };
    const approve = approvalRequest(firewall).actions[0];
    assert.equal(approve?.style, 'danger');
    assert.equal(approve?.confirm?.text, 'Nobody is disconnected. It opens TCP and UDP 3389 to any address until someone undoes it. Enables the built-in inbound rules.');
    assert.equal(approve?.confirm?.pressTwice, true);
    // A plan that weakens security while its record says safe (an undo) still gets the red button and the dialog.
    const undo = approvalRequest({ ...SAFE, impact: { ...SAFE.impact, weakensSecurity: true, exposes: 'puts back a weaker RDP-Tcp\\SecurityLayer' }, timeBoxMinutes: 60 }).actions[0];
    assert.equal(undo?.style, 'danger');
    assert.match(undo?.confirm?.text ?? '', /It puts back a weaker RDP-Tcp\\SecurityLayer until it reverts itself on the host after 60 minutes\./);
  });

  test('long plans are capped on the card (the plan button shows all of it)', () => {
    const card = approvalRequest({ ...SAFE, planSummary: Array.from({ length: 20 }, (_, i) => `step ${i + 1}`) });
    const text = allText(card);
    assert.match(text, /• step 8\n… and 12 more/);
    assert.doesNotMatch(text, /step 9\b/);
  });
});

describe('cards: approvalDecided', () => {
  const at = '2026-11-02T09:03:27.000Z';
  const cases: [DecidedState, ApprovalView, Parameters<typeof approvalDecided>[1], string, string, string, string | null][] = [
    ['approved', DISRUPTIVE, { state: 'approved', by: BOB, at }, 'running', 'Approved by @bob at 2026-11-02 09:03 UTC; it runs now.', 'Approved: move RDP back to port 3389 on work-pc, asked by @alice', 'What is changing:'],
    ['rejected', WEAKENS, { state: 'rejected', by: BOB, at, reason: 'fix the cause instead' }, 'refused', 'Rejected by @bob at 2026-11-02 09:03 UTC; nothing was changed. Reason: fix the cause instead', 'Rejected: turn NLA off for 60 minutes (break-glass) on work-pc, asked by @alice', null],
    ['expired', SAFE, { state: 'expired', at }, 'refused', 'Expired at 2026-11-02 09:03 UTC without a decision; nothing was changed.', 'Expired: regenerate the RDP certificate on work-pc, asked by @alice', null],
    ['running', SAFE, { state: 'running', by: BOB, at }, 'running', 'Running since 2026-11-02 09:03 UTC (approved by @bob).', 'Running: regenerate the RDP certificate on work-pc, asked by @alice', 'What is changing:'],
    ['done', SAFE, { state: 'done', by: BOB, at }, 'done', 'Finished at 2026-11-02 09:03 UTC (approved by @bob); the result is in the thread.', 'Done: regenerate the RDP certificate on work-pc, asked by @alice', 'What changed:'],
    ['failed', SAFE, { state: 'failed', at, reason: 'work-pc changed since the diagnosis' }, 'problem', 'Failed at 2026-11-02 09:03 UTC; the result in the thread says where the host stands. Note: work-pc changed since the diagnosis', 'Failed: regenerate the RDP certificate on work-pc, asked by @alice', 'What it tried to change (see the result in the thread):'],
  ];
  for (const [state, view, decision, status, line, title, changes] of cases) {
    test(`${state}: no buttons, what happened first, a title that says the outcome, never "what will change"`, () => {
      const card = approvalDecided(view, decision);
      const pending = approvalRequest(view);
      assert.deepEqual(card.actions, []);
      assert.equal(card.status, status);
      assert.equal(card.title, title);
      assert.deepEqual(card.sections[0], { kind: 'text', text: line });
      assert.doesNotMatch(allText(card), /Approve by/, 'no expiry once decided');
      assert.doesNotMatch(allText(card), /What will change/);
      if (changes) assert.match(allText(card), new RegExp(`^${changes.replace(/[()]/g, '\\$&')}\n• `, 'm'));
      else assert.doesNotMatch(allText(card), /^What /m, 'nothing changed: no list of changes');
      assert.equal(card.footer, pending.footer);
    });
  }
});
