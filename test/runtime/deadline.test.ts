// A command cut short by the WinRM deadline keeps what the runtime finished: the engine streams its
// results, the client keeps the frames that arrived, and the rest report Timeout (never ok). Through
// the real stack with the lab executing the real engine under pwsh.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startLab, type Lab } from '../../src/lab/lab.ts';
import { executePlan } from '../../src/host/executor.ts';
import { buildReadPlan, READ_IDS } from '../../src/rdp/read-plan.ts';
import { createWinrmClient } from '../../src/winrm/index.ts';

let lab: Lab;
before(async () => {
  lab = await startLab({ hosts: [{ name: 'slow-wmi', scenarios: ['healthy'] }], runtime: 'pwsh' });
  // The TerminalServices provider never answers, and the plan would wait 120 s for it: longer than the command may take.
  (lab.hosts[0] ?? assert.fail()).simulated.model.hungCimNamespaces = ['root\\cimv2\\terminalservices'];
});
after(() => lab.close());

test('the results that finished before the deadline are kept; the rest are Timeout', async () => {
  const w = (lab.hosts[0] ?? assert.fail()).winrm;
  // The deadline (60 s) falls while the engine waits on the hung provider (120 s), well after the plan began.
  const client = createWinrmClient({ url: w.url, auth: 'basic', username: w.username, password: w.password, timeouts: { commandMs: 60_000 } });
  try {
    const plan = buildReadPlan({ limits: { cimTimeoutSec: 120, budgetSec: 600 } });
    const result = await executePlan({ runPowerShell: (s, stdin) => client.runPowerShell(s, stdin) }, plan);
    const hung = result.results.findIndex((r) => r.id === READ_IDS.tsSetting);
    assert.ok(hung > 0);
    assert.ok(result.results.slice(0, hung).every((r) => r.ok), 'what finished before the hung query is kept');
    const rest = result.results.slice(hung);
    assert.ok(rest.every((r) => !r.ok && r.error.code === 'Timeout' && /command deadline/.test(r.error.message)), JSON.stringify(rest[0]));
  } finally {
    await client.close();
  }
});
