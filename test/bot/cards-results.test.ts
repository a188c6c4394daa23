// Result and utility cards: fix and undo results (the undo button), the fleet summary, help, hosts,
// history, refusals and errors; and the action ids round-trip.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { UndoOutcome } from '../../src/rdp/repair.ts';
import type { FixOutcome, UndoRecord } from '../../src/rdp/types.ts';
import {
  detailsActionId, error, fixResult, fleetSummary, help, historyCard, hostsList, parseActionId, proposeActionId, refused, undoActionId, undoResult,
  type FleetHostResult,
} from '../../src/cards/index.ts';

const VERIFIED: FixOutcome = {
  host: 'work-pc', fix: 'regenerate-rdp-certificate', applied: true, verified: true, undoId: 'u-7k2m9p4q',
  steps: [{ id: 'move-cert', op: 'cert.move', ok: true }, { id: 'restart-SessionEnv', op: 'service.restart', ok: true }],
  message: 'Replace the RDP certificate with a new self-signed one: applied on WORK-PC and verified. Undo with: rdp-medic undo work-pc u-7k2m9p4q --yes.',
  after: null,
};

describe('cards: fixResult', () => {
  test('applied and verified: ok, the message in chat terms, an undo button (danger, confirmed)', () => {
    const card = fixResult(VERIFIED);
    assert.equal(card.title, 'work-pc: Replace the RDP certificate with a new self-signed one: applied and verified');
    assert.equal(card.status, 'ok');
    assert.equal(card.sections[0]?.kind === 'text' && card.sections[0].text, 'Replace the RDP certificate with a new self-signed one: applied on WORK-PC and verified. Undo with: undo work-pc u-7k2m9p4q.');
    const [undo] = card.actions;
    assert.equal(card.actions.length, 1);
    assert.equal(undo?.id, 'undo:work-pc:u-7k2m9p4q');
    assert.equal(undo?.style, 'danger');
    assert.equal(undo?.label, 'Undo: Replace the RDP certificate with a new self-signed one');
    assert.match(undo?.confirm?.text ?? '', /^Puts back the values .* changed on work-pc, as recorded before the fix; refused if the host changed since\./);
    assert.deepEqual(parseActionId(undo?.id ?? ''), { kind: 'undo', host: 'work-pc', undoId: 'u-7k2m9p4q' });
  });

  test('applied but not verified: warning, still undoable; the state after is shown', () => {
    const after = { host: 'work-pc', verdict: 'problem' as const, headline: 'TLS still fails.', findings: [], timingsMs: { probes: 1, plan: 1, total: 1 }, winrmCommands: 1 };
    const card = fixResult({ ...VERIFIED, verified: false, after });
    assert.equal(card.status, 'warning');
    assert.match(card.title, /applied, not verified$/);
    assert.ok(card.sections.some((s) => s.kind === 'text' && s.text === 'Now: TLS still fails.'));
    assert.equal(card.actions.length, 1);
  });

  test('not applied (precondition failed): refused, no undo button, the failed step shown', () => {
    const card = fixResult({
      ...VERIFIED, applied: false, verified: false, undoId: null,
      steps: [{ id: 'move-cert', op: 'cert.move', ok: false, error: { code: 'PreconditionFailed', message: 'the certificate is no longer in the store' } }],
      message: 'Replace the RDP certificate with a new self-signed one: not applied. WORK-PC changed since the diagnosis; nothing was changed.',
    });
    assert.equal(card.status, 'refused');
    assert.deepEqual(card.actions, []);
    assert.ok(card.sections.some((s) => s.kind === 'code' && s.text === 'move-cert (cert.move): PreconditionFailed: the certificate is no longer in the store'));
  });

  test('an undo record with nothing to put back (a bare restart): no undo button', () => {
    const record: UndoRecord = { undoId: 'u-7k2m9p4q', host: 'WORK-PC', fixId: 'restart-termservice', createdAt: '2026-11-02T09:04:00Z', plan: { version: 2, mode: 'write', check: false, limits: { cimTimeoutSec: 15, eventTimeoutSec: 15, budgetSec: 90 }, ops: [] }, revertTask: null };
    assert.deepEqual(fixResult({ ...VERIFIED, fix: 'restart-termservice' }, record).actions, []);
  });
});

describe('cards: undoResult', () => {
  const base: UndoOutcome = { host: 'work-pc', undoId: 'u-7k2m9p4q', restored: true, verified: true, steps: [{ id: 'u1', op: 'cert.move', ok: true }], message: 'Undo u-7k2m9p4q: regenerate-rdp-certificate undone on WORK-PC, verified.' };
  test('restored and verified: done', () => {
    const card = undoResult(base);
    assert.equal(card.status, 'done');
    assert.equal(card.title, 'work-pc: undo u-7k2m9p4q: undone and verified');
    assert.deepEqual(card.actions, []);
  });
  test('refused before touching anything: refused, says why', () => {
    const card = undoResult({ ...base, restored: false, verified: false, steps: [], message: 'WORK-PC changed since the fix, so undo u-7k2m9p4q was refused.' });
    assert.equal(card.status, 'refused');
    assert.match(card.title, /not undone$/);
  });
});

describe('cards: fleetSummary', () => {
  const results: FleetHostResult[] = [
    { host: 'build-01', verdict: 'ok', headline: 'build-01 looks healthy.' },
    { host: 'web-01', verdict: 'problem', headline: 'The firewall blocks RDP.' },
    { host: 'db-02', verdict: 'warning', headline: 'Legacy TLS.' },
    { host: 'db-01', verdict: 'problem', headline: 'TermService is stopped.' },
    { host: 'lab-07', verdict: 'unknown', headline: 'WinRM timed out.' },
  ];
  test('in progress: running, counts with pending, problem hosts first, the details button', () => {
    const card = fleetSummary(results, 12, 5, { requestId: 'r-42', selector: 'group:lab' });
    assert.equal(card.title, 'Checking group:lab: 5 of 12 done…');
    assert.equal(card.status, 'running');
    const fields = card.sections[0]?.kind === 'fields' ? card.sections[0].fields : [];
    assert.deepEqual(fields, [
      { label: 'Problem', value: '2' }, { label: 'Warning', value: '1' }, { label: 'Unknown', value: '1' }, { label: 'OK', value: '1' }, { label: 'Pending', value: '7' },
    ]);
    const text = card.sections[1]?.kind === 'text' ? card.sections[1].text : '';
    assert.deepEqual(text.split('\n'), [
      'Problem: web-01: The firewall blocks RDP.', 'Problem: db-01: TermService is stopped.', 'Warning: db-02: Legacy TLS.', 'Unknown: lab-07: WinRM timed out.',
    ]);
    assert.deepEqual(card.actions, [{ id: 'details:r-42', label: 'Per-host details', style: 'default' }]);
    assert.deepEqual(parseActionId(detailsActionId('r-42')), { kind: 'details', requestId: 'r-42' });
  });
  test('finished: the worst verdict; at most N lines, then "and M more"', () => {
    const many: FleetHostResult[] = Array.from({ length: 30 }, (_, i) => ({ host: `pc-${i}`, verdict: i % 2 ? 'problem' : 'ok', headline: 'x' }));
    const card = fleetSummary(many, 30, 30, { requestId: 'r-43', maxLines: 5 });
    assert.equal(card.title, '30 hosts: 30 of 30 checked');
    assert.equal(card.status, 'problem');
    const lines = (card.sections[1]?.kind === 'text' ? card.sections[1].text : '').split('\n');
    assert.equal(lines.length, 6);
    assert.equal(lines.at(-1), '… and 10 more');
  });
  test('all healthy', () => {
    const card = fleetSummary([results[0] as FleetHostResult], 1, 1, { requestId: 'r' });
    assert.equal(card.status, 'ok');
    assert.ok(card.sections.some((s) => s.kind === 'text' && s.text === 'Every host looks healthy.'));
  });
});

describe('cards: help, hosts, history, refused, error', () => {
  test('help: a field per subcommand', () => {
    const card = help([{ usage: 'check HOST|group:NAME|tag:NAME', summary: 'Diagnose RDP' }, { usage: 'hosts', summary: 'List the inventory' }], { prefix: '/rdp' });
    assert.deepEqual(card.sections[0], { kind: 'fields', fields: [{ label: '/rdp check HOST|group:NAME|tag:NAME', value: 'Diagnose RDP' }, { label: '/rdp hosts', value: 'List the inventory' }] });
  });
  test('hosts: sorted, address, groups and tags; nothing else of the host config', () => {
    const hostConfig = { id: 'work-pc', address: 'work-pc.corp.example', groups: ['lab'], tags: ['win11'], winrm: { url: 'https://work-pc:5986/wsman', credential: 'lab-admin' } };
    const card = hostsList([hostConfig, { id: 'db-01' }]);
    assert.equal(card.title, '2 hosts in the inventory');
    const text = card.sections[0]?.kind === 'text' ? card.sections[0].text : '';
    assert.equal(text, 'db-01\nwork-pc (work-pc.corp.example) · groups: lab · tags: win11');
    assert.doesNotMatch(JSON.stringify(card), /lab-admin|5986/);
  });
  test('history: newest first, one line an entry', () => {
    const card = historyCard([
      { at: '2026-11-02T09:00:00Z', kind: 'command', actor: '@alice', text: 'check work-pc' },
      { at: '2026-11-02T09:03:00Z', kind: 'decision', actor: '@bob', text: 'approved regenerate-rdp-certificate' },
    ], 'work-pc');
    assert.equal(card.title, 'History of work-pc: 2 entries');
    assert.deepEqual(card.sections[0], { kind: 'code', text: '2026-11-02 09:03 UTC · decision · @bob · approved regenerate-rdp-certificate\n2026-11-02 09:00 UTC · command · @alice · check work-pc' });
    assert.equal(historyCard([]).sections[0]?.kind, 'text');
  });
  test('refused and error', () => {
    assert.deepEqual(refused('Only rdp-approvers may approve disruptive fixes.'), { title: 'Not done', status: 'refused', sections: [{ kind: 'text', text: 'Only rdp-approvers may approve disruptive fixes.' }], actions: [] });
    assert.equal(error('The worker lost contact with Redis.').status, 'problem');
  });
});

describe('cards: action ids', () => {
  test('round-trip, and anything else is rejected', () => {
    assert.deepEqual(parseActionId(proposeActionId('work-pc', 'enable-rdp')), { kind: 'propose', host: 'work-pc', fixId: 'enable-rdp' });
    assert.deepEqual(parseActionId(undoActionId('work-pc', 'u-1')), { kind: 'undo', host: 'work-pc', undoId: 'u-1' });
    for (const bad of ['', 'approve:', 'approve:a:b', 'propose:work-pc', 'run:x', 'undo::u-1']) assert.equal(parseActionId(bad), null, bad);
  });
});
