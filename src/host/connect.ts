// A configured inventory host as something that runs plans: the WinRM client for its endpoint,
// credentials resolved at the last moment (never stored in job data or logs), one shell reused.
import { readFileSync } from 'node:fs';
import { resolveSecret, type ResolvedHost } from '../config/load.ts';
import { createWinrmClient, type WinrmClient, type WinrmLogger } from '../winrm/index.ts';
import { executePlan, type PowerShellRunner } from './executor.ts';
import type { Plan, PlanResult } from './operations.ts';

export interface HostConnection {
  client: WinrmClient;
  runner: PowerShellRunner;
  /** One WinRM command: the plan through the runtime. */
  runPlan(plan: Plan): Promise<PlanResult>;
  close(): Promise<void>;
}

export async function connectHost(host: ResolvedHost, opts: { logger?: WinrmLogger } = {}): Promise<HostConnection> {
  const { winrm } = host.config;
  const password = await resolveSecret(host.credential.password);
  const client = createWinrmClient({
    url: winrm.url,
    auth: winrm.auth,
    username: host.credential.username,
    password,
    ...(winrm.ca ? { ca: readFileSync(winrm.ca) } : {}),
    ...(winrm.pinSha256 ? { pinSha256: winrm.pinSha256 } : {}),
    insecure: winrm.insecure,
    encryption: winrm.encryption,
    timeouts: winrm.timeouts,
    ...(winrm.maxResponseBytes ? { maxResponseBytes: winrm.maxResponseBytes } : {}),
    ...(winrm.maxOutputBytes ? { maxOutputBytes: winrm.maxOutputBytes } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  const runner: PowerShellRunner = {
    runPowerShell: (script, stdin) => client.runPowerShell(script, stdin),
  };
  const limits = { host: host.id, ...(winrm.maxResultBytes ? { maxResultBytes: winrm.maxResultBytes } : {}) };
  return { client, runner, runPlan: (plan) => executePlan(runner, plan, limits), close: () => client.close() };
}
