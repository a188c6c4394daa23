import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadValue } from '../../src/host/operations.ts';
import { buildSelftestPlan, formatSelftestTable, runSelftest } from '../../src/rdp/selftest.ts';
import { fakeRunner } from '../host/fake-host.ts';

test('the selftest plan holds one op of every read kind', () => {
  const kinds = buildSelftestPlan().ops.map((op) => op.op).sort();
  assert.deepEqual(kinds, Object.keys(ReadValue).sort());
});

test('runSelftest returns a runtime row and one row per op, with timings', async () => {
  const rows = await runSelftest(fakeRunner());
  assert.equal(rows.length, 1 + Object.keys(ReadValue).length);
  assert.equal(rows[0]?.op, 'runtime');
  assert.ok(rows.every((r) => r.ok), JSON.stringify(rows.filter((r) => !r.ok)));
  assert.equal(rows[1]?.ms, 3);
  const table = formatSelftestTable(rows);
  assert.match(table, /^op\s+result\s+ms\s+summary/);
  assert.match(table, /15\/15 passed$/);
  assert.match(table, /cert\.list\s+ok\s+3\s+1 certificate; [0-9A-F]{8} key file f686aace6942fb7f7ceb231212eef4a4_0000 \(3 ACEs\)/);
});

test('failed ops and wrong shapes show as FAIL rows; a dead runtime is one row', async () => {
  const rows = await runSelftest(
    fakeRunner((r) => {
      r.results[0] = { id: 'os.info', ok: false, error: { code: 'NotSupported', message: 'no CIM' } };
      r.results[1] = { id: 'reg.value', ok: true, value: { path: 'x', name: 'y', exists: true, kind: 'DWord', data: { n: 1 } } };
    }),
  );
  assert.deepEqual(rows[1], { op: 'os.info', ok: false, summary: 'NotSupported: no CIM' });
  assert.equal(rows[2]?.ok, false);
  assert.match(rows[2]?.summary ?? '', /value shape mismatch at data/);

  const dead = await runSelftest({ runPowerShell: () => Promise.resolve({ stdout: '', stderr: 'powershell.exe not found', exitCode: 1 }) });
  assert.equal(dead.length, 1);
  assert.equal(dead[0]?.ok, false);
  assert.match(dead[0]?.summary ?? '', /returned no result.*powershell\.exe not found/);
  const thrown = await runSelftest({ runPowerShell: () => Promise.reject(new Error('connection refused')) });
  assert.match(thrown[0]?.summary ?? '', /could not run PowerShell: connection refused/);
});
