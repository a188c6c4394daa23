// The audit trail as operators read it, against a real redis-server, the lab, a worker and the bot,
// under a key prefix of its own: refusals say who tried what and why; `history` leaves out its own
// lookups; a repeated click says what really happened; `audit export --config` reads the
// configured Redis and prefix.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { stringify } from 'yaml';
import type { AuditEntry } from '../../../src/state/audit/index.ts';
import { exportAudit } from '../../../src/state/audit/index.ts';
import { ChatRecorder, person, type Recorded } from '../../fakes/chat-recorder.ts';
import { startStack, type Stack } from '../../support/stack.ts';

const alice = person('alice');
const bob = person('bob');
const carol = person('carol');
const dave = person('dave');
const erin = person('erin');
const POLICY = {
  roles: { responder: ['console:alice', 'console:bob', 'console:dave', 'console:erin'], approver: ['console:bob'] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  rateLimit: { commandsPerMinute: 12 },
};
const PREFIX = 'trail';

let stack: Stack;
const recorder = new ChatRecorder();
before(async () => {
  stack = await startStack([recorder], { prefix: PREFIX, hosts: [{ name: 'work-pc', scenarios: ['cert-expired'] }], config: { policy: POLICY } });
});
after(async () => stack.close());

const text = (r: Recorded): string => [r.card.title, ...r.card.sections.map((s) => ('text' in s ? s.text : s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : ''))].join('\n');
const lastTo = (user: string): string => text(recorder.records.filter((r) => r.op === 'ephemeral' && r.user === user).at(-1)!);

async function say(line: string, who = alice): Promise<void> {
  await recorder.command(line, who);
  await stack.settled();
}

async function click(prefix: string, who: ReturnType<typeof person>): Promise<void> {
  const action = recorder.action(prefix);
  await recorder.click(action.id, action.messageId, who);
  await stack.settled();
}

async function trail(): Promise<AuditEntry[]> {
  const out: AuditEntry[] = [];
  for await (const e of exportAudit(stack.bot!.redis, { prefix: PREFIX })) out.push(e);
  return out;
}

const refusals = async (): Promise<{ actor: string; host: string | null; stage: string; reason: string; text: string }[]> =>
  (await trail())
    .filter((e) => e.kind === 'refusal')
    .map((e) => {
      const d = e.data as { stage: string; reason: string; text: string };
      return { actor: e.actor, host: e.host, stage: d.stage, reason: d.reason, text: d.text };
    });

test('refused attempts are in the audit trail: who tried what, and why it was refused', async () => {
  await say('check work-pc', carol);
  await say('chek work-pc', alice);
  for (let i = 0; i < 13; i++) await say('help', dave);
  const seen = await refusals();
  assert.deepEqual(
    seen.map((r) => [r.actor, r.host, r.stage, r.text]),
    [
      ['console:carol', 'work-pc', 'policy', 'check work-pc'],
      ['console:alice', null, 'grammar', 'chek work-pc'],
      ['console:dave', null, 'rate-limit', 'help'],
    ],
  );
  assert.match(seen[0]!.reason, /console:carol has no rdp-medic role/);
  assert.match(seen[1]!.reason, /unknown command "chek"; did you mean "check"\?/);
  assert.match(seen[2]!.reason, /slow down: 12 commands a minute/);
});

test('a refused approval is audited on its host, and history shows it', async () => {
  await say('check work-pc');
  await click('propose:work-pc:', alice);
  await click('approve:', alice);
  const refused = (await refusals()).filter((r) => r.stage === 'decision');
  assert.equal(refused.length, 1);
  assert.deepEqual([refused[0]!.actor, refused[0]!.host], ['console:alice', 'work-pc']);
  assert.match(refused[0]!.reason, /@alice may not approve safe fixes: your roles \(responder\) do not include it/);
  await say('history work-pc');
  assert.match(text(recorder.records.at(-1)!), /refusal · @alice · refused \(decision\): approve a_\S+: @alice may not approve safe fixes/);
});

test('clicking Fix again on a host fixed meanwhile says by whom and when; Undo again says it is undone', async () => {
  await click('approve:', bob);
  assert.match(text(recorder.records.filter((r) => r.key?.includes('.result.')).at(-1)!), /applied on WORK-PC and verified/);
  // The same Fix button, clicked again by another responder (alice's own second press within 10 s
  // would be a double click, counted once and answered by the first).
  await click('propose:work-pc:', erin);
  assert.match(lastTo('erin'), /^Already requested\nAlready fixed by @bob at \d\d:\d\d UTC: regenerate-rdp-certificate was applied on work-pc and verified \(asked by @alice at \d\d:\d\d UTC\)\.$/);
  assert.doesNotMatch(lastTo('erin'), /being prepared/);

  await click('undo:work-pc:', alice);
  await click('approve:', bob);
  assert.match(text(recorder.records.filter((r) => /undone and verified/.test(text(r))).at(-1)!), /undone and verified/);
  await click('undo:work-pc:', erin);
  assert.match(lastTo('erin'), /^Already requested\nAlready undone by @bob at \d\d:\d\d UTC: u-\w{8} was put back on work-pc\.$/);
});

test('history HOST leaves out its own lookups (history and status), which stay in the trail', async () => {
  await say('history work-pc');
  await say('status work-pc', bob);
  await say('history work-pc');
  const card = text(recorder.records.at(-1)!);
  assert.doesNotMatch(card, /command: history|command: status/, card);
  assert.match(card, /command: check work-pc/);
  const lookups = (await stack.bot!.state.audit.historyOf('work-pc', 100, { includeLookups: true })).filter((e) => e.kind === 'command' && /^(history|status)/.test(String((e.data as { text?: string }).text)));
  assert.ok(lookups.length >= 4, `the lookups are still recorded: ${JSON.stringify(lookups.map((e) => [e.actor, e.data]))}`);
});

test('`rdp-medic audit export --config FILE` reads the configured Redis and key prefix', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-export-'));
  try {
    const file = join(dir, 'config.yaml');
    writeFileSync(file, stringify(stack.config), { mode: 0o600 });
    const child = spawn(process.execPath, ['bin/rdp-medic.js', 'audit', 'export', '--config', file], { env: { ...process.env, REDIS_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
    assert.deepEqual(lines.map((e) => e.id), (await trail()).map((e) => e.id));
    assert.ok(lines.some((e) => e.kind === 'refusal') && lines.some((e) => e.kind === 'result'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
