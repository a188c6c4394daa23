// The doctor wired to a configured host: the check target, one WinRM connection for the plans,
// and the dependencies diagnose/applyFix/undoFix take.
import { findHost } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { connectHost, type HostConnection } from '../../host/connect.ts';
import { buildReadPlan, readPlanFacts, type HostFacts } from '../../rdp/read-plan.ts';
import { createLogger } from '../../log.ts';
import { examine, type Examination } from '../../rdp/diagnose.ts';
import { classifyHostError } from '../../rdp/diagnose-access.ts';
import { checkTarget } from '../../rdp/target.ts';
import type { CheckTarget, Diagnosis, HostAccessFailure } from '../../rdp/types.ts';

export interface Doctor {
  target: CheckTarget;
  conn: HostConnection;
  diagnose(): Promise<Diagnosis>;
  /** The diagnosis with the facts and probes it was made from (the evidence export). */
  examine(): Promise<Examination>;
  /** Why the last diagnosis could not read the host (WinRM unreachable, denied, ...); null when it could. */
  accessFailure(): HostAccessFailure | null;
  readFacts(): Promise<HostFacts>;
  close(): Promise<void>;
}

export async function openDoctor(config: Config, name: string): Promise<Doctor> {
  const host = findHost(config, name);
  const target = checkTarget(host);
  const conn = await connectHost(host, { logger: createLogger({ name: 'winrm', level: process.env.LOG_LEVEL ?? 'error' }) });
  let failure: HostAccessFailure | null = null;
  // The diagnosis turns a host that cannot be read into findings; the exit code needs to know it too.
  const classifyError = (e: unknown): HostAccessFailure => (failure = classifyHostError(e, target));
  const run = (): Promise<Examination> => {
    failure = null;
    return examine(target, { runPlan: conn.runPlan, dnsServers: config.dns.servers, timeoutMs: config.dns.timeoutMs * 2, classifyError, winrmAuth: () => conn.client.stats.authUsed });
  };
  return {
    target,
    conn,
    diagnose: async () => (await run()).diagnosis,
    examine: run,
    accessFailure: () => failure,
    readFacts: async () => readPlanFacts(await conn.runPlan(buildReadPlan())),
    close: () => conn.close(),
  };
}
