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

/** The config key that accepts Basic over http:// for a host. */
export const basicOverHttpKey = (hostId: string): string => `hosts.${hostId}.winrm.allowBasicOverHttp`;

/**
 * Basic over http:// puts the password on the wire in clear text with every request: refused unless
 * the host's configuration opts in, and then a warning on every connection.
 */
function basicOverHttp(host: ResolvedHost, logger: WinrmLogger | undefined): boolean {
  const { winrm } = host.config;
  if (winrm.auth !== 'basic' || new URL(winrm.url).protocol !== 'http:') return false;
  const key = basicOverHttpKey(host.id);
  if (!winrm.allowBasicOverHttp) {
    throw new Error(`${host.id}: WinRM Basic over http:// would send the password in clear text; refused. Use an https:// URL (or auth: ntlm), or accept the risk for this host with ${key}: true`);
  }
  logger?.warn({ host: host.id, auth: 'basic' }, `WinRM Basic over http:// to ${host.id}: the password crosses the network in clear text (${key} is true)`);
  return true;
}

export async function connectHost(host: ResolvedHost, opts: { logger?: WinrmLogger } = {}): Promise<HostConnection> {
  const { winrm } = host.config;
  // Before the secret is even read: a refused connection never touches the password.
  const clearText = basicOverHttp(host, opts.logger);
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
    ...(winrm.kerberos ? { kerberos: winrm.kerberos } : {}),
    // Opted in above (and warned there): the client need not warn a second time.
    ...(clearText ? { allowUnencrypted: true } : {}),
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
