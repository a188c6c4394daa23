// The cards of "see what runs": a card's file (a plain name, a known type, at most MAX_FILE_BYTES as
// UTF-8, checked where job data is read back), the exact plan with its PowerShell, the evidence file
// card (the JSON in the file, never in the text), the "Export evidence" button and the click it
// stands for, and each finding's "why" line with its Microsoft article.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { commandOfAction, diagnosisDetails, parseActionId, planScriptCard } from '../../src/cards/index.ts';
import { EXPORT_EVIDENCE_LABEL, evidenceFileCard, withEvidenceButton } from '../../src/cards/evidence-export.ts';
import { Card, CardFile, MAX_FILE_BYTES } from '../../src/chat/model.ts';
import { executePlan } from '../../src/lab/model/execute-plan.ts';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { findingReference } from '../../src/rdp/checks/references.ts';
import { describePlan } from '../../src/rdp/fixes/describe-plan.ts';
import { buildFix, isNotApplicable } from '../../src/rdp/fixes/index.ts';
import { planScript } from '../../src/rdp/fixes/plan-script.ts';
import { buildReadPlan, readPlanFacts } from '../../src/rdp/read-plan.ts';
import type { CheckTarget, Diagnosis, FixPlan } from '../../src/rdp/types.ts';

const TARGET: CheckTarget = { id: 'work-pc', address: 'work-pc', rdpHost: 'work-pc', rdpPort: 3389, winrmUrl: 'http://work-pc:5985/wsman', rdpUsers: [] };
const ALICE = { platform: 'console' as const, id: 'alice', name: 'alice', groups: [] };

function plan(): FixPlan {
  const now = new Date();
  const m = buildHost(['cert-expired'], { computerName: 'WORK-PC', password: 'p', now });
  const p = buildFix('regenerate-rdp-certificate', { facts: readPlanFacts(executePlan(m, buildReadPlan())), target: TARGET, now });
  assert.ok(!isNotApplicable(p));
  return p;
}

const textOf = (c: Card): string => [c.title, ...c.sections.map((s) => (s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : s.text)), c.footer ?? ''].join('\n');

const DIAGNOSIS: Diagnosis = {
  host: 'work-pc', verdict: 'problem', headline: 'The RDP certificate expired on 2026-10-01.', winrmCommands: 1, timingsMs: { probes: 120.4, plan: 300.2, total: 310.9 },
  findings: [
    { check: 'cert-rdp-store', title: 'RDP certificate usable', verdict: 'problem', severity: 'critical', summary: 'The RDP certificate expired.', explanation: 'Clients drop the handshake.', evidence: { expired: true }, fix: null },
    { check: 'fw-rdp-rules', title: 'Firewall allows RDP', verdict: 'warning', severity: 'medium', summary: 'UDP rule off.', explanation: '', evidence: {}, fix: null },
    { check: 'listener-state', title: 'Listener', verdict: 'ok', severity: 'info', summary: 'Listening.', explanation: '', evidence: {}, fix: null },
  ],
};

describe('a card file', () => {
  test('a plain name, a known type, at most MAX_FILE_BYTES of UTF-8', () => {
    const ok = { name: 'evidence-work-pc.json', mime: 'application/json', content: '{}' };
    assert.ok(CardFile.safeParse(ok).success);
    for (const name of ['../etc/passwd', '.hidden', 'a/b.json', 'a b.json', '', 'x'.repeat(101), 'C:\\x.ps1']) {
      assert.ok(!CardFile.safeParse({ ...ok, name }).success, `name ${JSON.stringify(name)} accepted`);
    }
    assert.ok(!CardFile.safeParse({ ...ok, mime: 'application/x-msdownload' }).success);
    assert.ok(CardFile.safeParse({ ...ok, content: 'a'.repeat(MAX_FILE_BYTES) }).success, 'exactly the limit');
    // Two bytes a character in UTF-8: half as many characters already exceed it.
    const r = CardFile.safeParse({ ...ok, content: 'é'.repeat(MAX_FILE_BYTES / 2 + 1) });
    assert.ok(!r.success);
    assert.match(r.error.issues[0]!.message, /at most 1000000 bytes/);
    assert.ok(!Card.safeParse({ title: 't', status: 'info', sections: [], actions: [], file: { ...ok, extra: 1 } }).success, 'strict');
  });
});

describe('the exact plan and its PowerShell', () => {
  test('every step in plain words, numbered; the file is the script of the approved plan', () => {
    const p = plan();
    const card = planScriptCard(p, 'a_123', p.hash);
    assert.ok(Card.safeParse(card).success);
    assert.equal(card.file?.content, planScript(p, p.hash));
    assert.equal(card.file?.mime, 'text/x-powershell');
    assert.match(card.file!.name, /^regenerate-rdp-certificate-WORK-PC-[0-9a-f]{12}\.ps1$/);
    const code = card.sections.find((s) => s.kind === 'code');
    assert.deepEqual(code?.kind === 'code' ? code.text.split('\n') : [], describePlan(p.apply).map((l, i) => `${i + 1}. ${l}`));
    assert.match(textOf(card), new RegExp(`sha256 ${p.hash.slice(0, 16)}`));
    assert.ok(!textOf(card).includes('{"'));
  });

  test('a plan whose hash is not the approved one is not shown', () => {
    const p = plan();
    assert.throws(() => planScriptCard(p, 'a_123', 'f'.repeat(64)), /not the approved one/);
  });
});

describe('the evidence export', () => {
  test('the file card: the JSON in the file, a few plain lines in the text', () => {
    const json = JSON.stringify({ format: 'rdp-medic-evidence', host: 'work-pc' }, null, 2);
    const at = new Date('2026-12-07T10:11:12.345Z');
    const card = evidenceFileCard(DIAGNOSIS, json, at, ALICE);
    assert.ok(Card.safeParse(card).success);
    assert.equal(card.file?.content, json);
    assert.equal(card.file?.name, 'evidence-work-pc-2026-12-07T10-11-12-345Z.json');
    assert.equal(card.status, 'problem');
    assert.ok(!textOf(card).includes('{"') && !textOf(card).includes('{\n'), textOf(card));
    assert.match(textOf(card), /Findings: 3 checks, 1 problem/);
    assert.match(textOf(card), /Took: 311 ms \(probes 120 ms, WinRM 300 ms\)/);
  });

  test('"Export evidence" is a click that stands for `evidence HOST`', () => {
    const root: Card = { title: 'work-pc', status: 'problem', sections: [], actions: [{ id: 'propose:work-pc:enable-rdp', label: 'Fix', style: 'primary' }] };
    const card = withEvidenceButton(root, DIAGNOSIS);
    assert.deepEqual(card.actions.map((a) => a.label), ['Fix', EXPORT_EVIDENCE_LABEL]);
    // A host that could not be read has no facts to export: no button on its short answer.
    assert.deepEqual(withEvidenceButton(root, { host: 'work-pc', hostAccess: { kind: 'unreachable', message: 'refused' } }), root);
    const id = card.actions[1]!.id;
    assert.deepEqual(parseActionId(id), { kind: 'evidence', host: 'work-pc' });
    assert.equal(commandOfAction(id), 'evidence work-pc');
    assert.equal(parseActionId('evidence:'), null);
    assert.equal(parseActionId('evidence:a:b'), null);
  });
});

describe('the why of a finding', () => {
  test('a host that could not be read: its one finding stays short, without the reference line', () => {
    const offline: Diagnosis = { ...DIAGNOSIS, hostAccess: { kind: 'unreachable', message: 'refused' }, findings: [DIAGNOSIS.findings[0]!] };
    const cards = diagnosisDetails(offline);
    assert.ok(cards.length > 0);
    for (const card of cards) assert.doesNotMatch(textOf(card), /Why \/ Microsoft reference/);
  });

  test('each problem and warning card links the Microsoft article of its check', () => {
    const cards = diagnosisDetails(DIAGNOSIS).filter((c) => c.footer?.startsWith('check '));
    assert.equal(cards.length, 2);
    for (const [card, check] of [[cards[0]!, 'cert-rdp-store'], [cards[1]!, 'fw-rdp-rules']] as const) {
      const r = findingReference(check);
      assert.ok(textOf(card).includes(`Why / Microsoft reference: ${r.title}: ${r.url}`), textOf(card));
    }
  });
});
