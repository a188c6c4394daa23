// The grammar and the job schemas accept the same ids: whatever a command parses to fits the job it
// becomes, and whatever a job would refuse the grammar refuses first, with a usable message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGrammarError, parseCommand, type Inventory } from '../../src/bot/grammar.ts';
import { FixJob } from '../../src/state/schemas.ts';
import { newUndoId } from '../../src/rdp/undo-store.ts';
import { FIX_IDS } from '../../src/rdp/fixes/catalogue.ts';

const INVENTORY: Inventory = { hosts: [{ id: 'work-pc', groups: [], tags: [] }] };
const requester = { platform: 'console' as const, id: 'alice', name: 'alice' };
const conversationId = 'r-0123456789abc';

const UNDO_CANDIDATES = ['abc', 'u-abc', 'u-7k3m9qzx', 'U-7K3M9QZX', 'u-7k3m9qzi', 'u-7k3m9qzxy', 'u-0000000o', 'x-7k3m9qzx', 'u-abcdefgh', newUndoId(), newUndoId()];

describe('ids: the grammar and the job schemas agree', () => {
  for (const text of UNDO_CANDIDATES) {
    it(`undo work-pc ${text}`, () => {
      const parsed = parseCommand(`undo work-pc ${text}`, INVENTORY);
      const job = FixJob.safeParse({ kind: 'plan-undo', host: 'work-pc', undoId: text.toLowerCase(), conversationId, requester });
      if (isGrammarError(parsed)) {
        assert.equal(parsed.code, 'bad-undo-id');
        assert.match(parsed.message, /is not an undo id .*u-7k3m9qzx/);
        assert.equal(job.success, false, `the grammar refused ${text} but the job schema takes it`);
        return;
      }
      assert.equal(parsed.kind, 'undo');
      const fromCommand = FixJob.safeParse({ kind: 'plan-undo', host: parsed.kind === 'undo' ? parsed.host : '', undoId: parsed.kind === 'undo' ? parsed.undoId : '', conversationId, requester });
      assert.equal(fromCommand.success, true, `"undo work-pc ${text}" parsed but its job fails the schema: ${fromCommand.error?.message ?? ''}`);
    });
  }

  it('every fix of the catalogue parses and fits a plan job', () => {
    for (const fixId of FIX_IDS) {
      const parsed = parseCommand(`fix work-pc ${fixId}`, INVENTORY);
      assert.ok(!isGrammarError(parsed) && parsed.kind === 'fix', fixId);
      assert.ok(FixJob.safeParse({ kind: 'plan', host: parsed.host, fixId: parsed.fixId, conversationId, requester }).success, fixId);
    }
  });

  it('an approval id that parses fits an apply job, and one that does not is refused by both', () => {
    for (const id of ['a_abcdefgh', 'a_AbC-_12345678', 'a_short', 'b_abcdefgh', `a_${'x'.repeat(33)}`]) {
      const parsed = parseCommand(`approve ${id}`, INVENTORY);
      const job = FixJob.safeParse({ kind: 'apply', approvalId: id });
      assert.equal(!isGrammarError(parsed), job.success, id);
    }
  });
});
