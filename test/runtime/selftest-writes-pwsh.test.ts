// selftest --writes with the lab executing the real runtime engine under PowerShell 7 (the lab's
// primitives in place of Windows'): every step passes and the host model ends as it began. About two
// minutes: each of the ~30 plans starts pwsh.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findHost } from '../../src/config/load.ts';
import { Config } from '../../src/config/schema.ts';
import { connectHost } from '../../src/host/connect.ts';
import { formatSelftestTable } from '../../src/rdp/selftest.ts';
import { runWriteSelftest, SELFTEST_KEY } from '../../src/rdp/selftest-writes.ts';
import { startLab, type Lab } from '../../src/lab/lab.ts';
import { labConfig } from '../../src/lab/lab-config.ts';
import type { HostModel } from '../../src/lab/model/index.ts';
import { comparableSnapshot } from '../support/model-snapshot.ts';

let t = Date.parse('2026-12-07T02:00:00.000Z');
let lab: Lab;

before(async () => {
  lab = await startLab({ hosts: [{ name: 'vm1', scenarios: ['healthy'] }], clock: () => new Date(t), runtime: 'pwsh' });
});
after(() => lab.close());

function withoutSelftestKey(m: HostModel): unknown {
  const c = comparableSnapshot(m) as { registry: Record<string, unknown> };
  delete c.registry[SELFTEST_KEY.toLowerCase()];
  return c;
}

test('selftest --writes under the real engine: every step passes, the host model ends as it began', async () => {
  const host = lab.hosts[0] ?? assert.fail('no host');
  const before = withoutSelftestKey(host.simulated.model);
  const conn = await connectHost(findHost(Config.parse(labConfig(lab)), 'vm1'));
  try {
    const rows = await runWriteSelftest(conn.runner, { sleep: (ms) => Promise.resolve(void (t += ms)), now: () => t });
    assert.deepEqual(rows.filter((r) => !r.ok || r.skipped), [], formatSelftestTable(rows));
    assert.equal(rows.length, 22);
  } finally {
    await conn.close();
  }
  assert.deepEqual(withoutSelftestKey(host.simulated.model), before);
});
