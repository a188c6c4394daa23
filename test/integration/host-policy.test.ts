// A host that refuses by policy says so, with what to change: WinRS disabled (Allow Remote Shell
// Access), and PowerShell in Constrained Language Mode. Through the real stack: our WinRM client,
// the lab's WS-Man server and bootstrap, the diagnosis and its headline.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findHost } from '../../src/config/load.ts';
import { Config } from '../../src/config/schema.ts';
import { connectHost } from '../../src/host/connect.ts';
import { startLab, type Lab } from '../../src/lab/lab.ts';
import { labConfig } from '../../src/lab/lab-config.ts';
import { diagnose } from '../../src/rdp/diagnose.ts';
import { checkTarget } from '../../src/rdp/target.ts';

let lab: Lab;
let config: Config;
before(async () => {
  lab = await startLab({ hosts: [{ name: 'winrs-off', scenarios: ['healthy'] }, { name: 'clm', scenarios: ['healthy'] }] });
  config = Config.parse(labConfig(lab));
  const model = (name: string) => (lab.hosts.find((h) => h.name === name) ?? assert.fail(name)).simulated.model;
  model('winrs-off').allowRemoteShellAccess = false;
  model('clm').languageMode = 'ConstrainedLanguage';
});
after(() => lab.close());

async function diagnosis(name: string) {
  const host = findHost(config, name);
  const target = checkTarget(host);
  const conn = await connectHost(host);
  try {
    return await diagnose(target, { runPlan: conn.runPlan, dnsServers: config.dns.servers, timeoutMs: 1000 });
  } finally {
    await conn.close();
  }
}

test('WinRS disabled by policy: named, with the policy to change', async () => {
  const d = await diagnosis('winrs-off');
  assert.match(d.headline, /refuses remote shells by policy \(Allow Remote Shell Access is Disabled: AllowRemoteShellAccess = 0\)/);
  assert.match(d.headline, /Windows Remote Shell > Allow Remote Shell Access to Not Configured or Enabled/);
  assert.match(d.headline, /host-side checks cannot run until that changes/);
});

test('Constrained Language Mode: named, with what to do', async () => {
  const d = await diagnosis('clm');
  assert.match(d.headline, /^On clm: PowerShell runs in Constrained Language Mode .* Allow the runtime for the WinRM account .*the host-side checks cannot run until that changes\.$/);
  assert.doesNotMatch(d.headline, /\{"|<<<RDPMEDIC/);
});
