// The accuracy suite, through the real stack: for every lab scenario, the diagnosis (real WinRM, real probes)
// names the planted cause first; a healthy host has no problem; the proposed fix, applied over WinRM,
// makes the RDP probe succeed and the verification pass; undo restores the host model exactly.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { findHost } from '../../src/config/load.ts';
import { Config } from '../../src/config/schema.ts';
import { connectHost, type HostConnection } from '../../src/host/connect.ts';
import { buildReadPlan, readPlanFacts, type ReadPlanOptions } from '../../src/rdp/read-plan.ts';
import { startLab, type Lab, type LabOptions } from '../../src/lab/lab.ts';
import { labConfig } from '../../src/lab/lab-config.ts';
import { SCENARIOS } from '../../src/lab/scenarios/index.ts';
import { diagnose } from '../../src/rdp/diagnose.ts';
import { probeRdp } from '../../src/rdp/probes/index.ts';
import { applyFix, undoFix } from '../../src/rdp/repair.ts';
import { checkTarget } from '../../src/rdp/target.ts';
import type { CheckTarget } from '../../src/rdp/types.ts';
import { FileUndoStore } from '../../src/rdp/undo-store.ts';
import { assertUndoneExactly, comparableSnapshot } from './model-snapshot.ts';

/**
 * Defines the suite in the calling test file. `labOptions.runtime: 'pwsh'` runs it with the lab
 * executing the real runtime engine under PowerShell 7 (test/runtime/accuracy-pwsh.test.ts).
 */
export function accuracySuite(title: string, labOptions: Partial<LabOptions> = {}, concurrency = 1): void {

  const scenarios = [...SCENARIOS.values()];
  let lab: Lab;
  let config: Config;
  const undoDir = mkdtempSync(join(tmpdir(), 'rdp-medic-undo-'));
  const undoStore = new FileUndoStore(undoDir);
  const names = new Map(scenarios.map((s) => [s.name, s.name.replace(/\+/g, '-and-')]));

  before(async () => {
    lab = await startLab({ ...labOptions, hosts: scenarios.map((s) => ({ name: names.get(s.name) as string, scenarios: s.name.split('+') })) });
    config = Config.parse(labConfig(lab));
  });
  after(async () => {
    await lab.close();
    rmSync(undoDir, { recursive: true, force: true });
  });

  interface Doctor {
    target: CheckTarget;
    conn: HostConnection;
    deps: Parameters<typeof applyFix>[0];
  }

  /** Tighter host limits where a scenario makes the host wait (a hung provider): the lab waits what it models. */
  const READ_PLAN: Record<string, ReadPlanOptions> = { 'wmi-hung': { limits: { cimTimeoutSec: 1 } } };

  // The probes' bound: generous, because a loaded 2-core machine (the runtime suite, pwsh beside it)
  // was seen to take over a second to answer the RDP Connection Request of a healthy lab host.
  const PROBE_TIMEOUT_MS = 5000;

  async function doctor(name: string, fixId = ''): Promise<Doctor> {
    const host = findHost(config, name);
    const target = checkTarget(host);
    const conn = await connectHost(host);
    const readPlan = READ_PLAN[name] ?? {};
    const diag = () => diagnose(target, { runPlan: conn.runPlan, dnsServers: config.dns.servers, timeoutMs: PROBE_TIMEOUT_MS, readPlan });
    return {
      target,
      conn,
      deps: {
        target,
        fixId,
        runPlan: conn.runPlan,
        readFacts: async () => readPlanFacts(await conn.runPlan(buildReadPlan(readPlan))),
        diagnose: diag,
        probeRdp: () => probeRdp({ host: target.rdpHost, port: target.rdpPort, servername: target.address, timeoutMs: PROBE_TIMEOUT_MS }),
        undoStore,
      },
    };
  }

  describe(`every scenario, end to end over WinRM (${title})`, { concurrency }, () => {
    for (const scenario of scenarios) {
      test(`${scenario.name}: ${scenario.cause.length ? `finds ${scenario.cause.join(' then ')}` : 'no problem'}`, async () => {
        const name = names.get(scenario.name) as string;
        const labHost = lab.hosts.find((h) => h.name === name) ?? assert.fail(name);
        const d = await doctor(name);
        try {
          const diagnosis = await d.deps.diagnose();
          assert.equal(diagnosis.winrmCommands, 1);
          const problems = diagnosis.findings.filter((f) => f.verdict === 'problem');
          if (scenario.cause.length === 0) {
            assert.deepEqual(problems.map((f) => f.check), [], diagnosis.headline);
            if (scenario.name === 'wmi-hung') {
              // The diagnosis completed with the other facts; what needed the TerminalServices CIM facts is unknown, and says why.
              const unknown = diagnosis.findings.filter((f) => f.verdict === 'unknown');
              assert.deepEqual(unknown.map((f) => f.check).sort(), ['cert-binding', 'cert-machinekeys-acl', 'cert-rdp-store']);
              for (const f of unknown) assert.match(f.summary, /TerminalServices did not answer/);
              // Exactly those three are unknown and none is a problem: every other fact arrived. (Not "all the rest ok":
              // on a loaded machine the loopback jitter sample can warn, which is not a missing fact.)
            }
            return;
          }
          // The planted causes lead, in triage order.
          assert.deepEqual(
            problems.slice(0, scenario.cause.length).map((f) => f.check),
            scenario.cause,
            `first problems: ${problems.map((f) => f.check).join(', ')}`,
          );
          assert.equal(diagnosis.headline, problems[0]?.summary);

          // Cure every planted cause that has a proposed fix, in order; then undo in reverse.
          const fixes = problems.slice(0, scenario.cause.length).flatMap((f) => (f.fix ? [f.fix.id] : []));
          if (fixes.length === 0) return; // policy-managed or out-of-host (DNS): nothing to apply
          const modelBefore = comparableSnapshot(labHost.simulated.model);
          const undoIds: string[] = [];
          for (const fixId of fixes) {
            const outcome = await applyFix({ ...d.deps, fixId });
            assert.equal(outcome.applied, true, outcome.message);
            assert.ok(outcome.undoId);
            undoIds.push(outcome.undoId);
            if (fixId === fixes.at(-1)) assert.equal(outcome.verified, true, outcome.message);
          }
          const healed = await d.deps.diagnose();
          for (const cause of scenario.cause) {
            assert.notEqual(healed.findings.find((f) => f.check === cause)?.verdict, 'problem', `${cause} after the fix: ${healed.headline}`);
          }
          const probe = await d.deps.probeRdp!();
          if (!['authz-rdp-users', 'conn-limits'].includes(scenario.cause[0] as string)) {
            assert.equal(probe.ok, true, `RDP probe after the fix: ${JSON.stringify(probe.error)}`);
            assert.ok(probe.tls, 'TLS handshake after the fix');
            assert.equal(probe.certificate?.expired, false);
          }
          const messages: string[] = [];
          for (const undoId of undoIds.reverse()) {
            const undone = await undoFix({ ...d.deps, undoId });
            assert.equal(undone.restored, true, undone.message);
            messages.push(undone.message);
          }
          // Also for the key file scenarios: the regenerated certificate had a key file of its own, removed with it.
          assertUndoneExactly(labHost.simulated.model, modelBefore, messages);
          const again = await d.deps.diagnose();
          assert.equal(again.findings.filter((f) => f.verdict === 'problem')[0]?.check, scenario.cause[0], 'the cause is back after undo');
        } finally {
          await d.conn.close();
        }
      });
    }
  });
}
