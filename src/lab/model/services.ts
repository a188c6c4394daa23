// Service Control Manager behaviour: starting a service starts its stopped dependencies first and
// fails with 1068 when one of them is disabled (or 1058 when the service itself is); stopping stops
// running dependents first (Stop-Service -Force); TermService and SessionEnv starting regenerate the
// RDP self-signed certificate when the store holds none usable; TermService stopping ends RDP sessions.
import type { HostModel, ModelService } from './host-model.ts';
import { pidFor } from './pids.ts';
import { ensureRdpCertificate } from './regenerate-cert.ts';

export const findService = (m: HostModel, name: string): ModelService | undefined => m.services[name.toLowerCase()];

const label = (s: ModelService): string => `${s.displayName} (${s.name})`;
const cannotStart = (s: ModelService, why: string, code: number): string =>
  `Service '${label(s)}' cannot be started due to the following error: Cannot start service ${s.name} on computer '.'. ${why} (Win32 error ${code})`;

/** Why `name` cannot be started (including its dependency chain), or null when it can. */
export function startBlocker(m: HostModel, s: ModelService, seen = new Set<string>()): string | null {
  if (s.state === 'Running') return null;
  if (s.startType === 'Disabled') return cannotStart(s, 'The service cannot be started, either because it is disabled or because it has no enabled devices associated with it.', 1058);
  seen.add(s.name.toLowerCase());
  for (const depName of s.dependsOn) {
    const dep = findService(m, depName);
    if (!dep) return cannotStart(s, 'The dependency service does not exist or has been marked for deletion.', 1075);
    if (seen.has(dep.name.toLowerCase())) continue;
    if (startBlocker(m, dep, seen) !== null) return cannotStart(s, 'The dependency service or group failed to start.', 1068);
  }
  return null;
}

/** Starts the service and its stopped dependencies; call startBlocker first. */
export function startService(m: HostModel, s: ModelService, now: Date): void {
  if (s.state === 'Running') return;
  for (const depName of s.dependsOn) {
    const dep = findService(m, depName);
    if (dep && dep.state !== 'Running') startService(m, dep, now);
  }
  s.state = 'Running';
  s.processId = s.serviceType.includes('Driver') ? null : pidFor(s.name);
  const n = s.name.toLowerCase();
  if (n === 'termservice' || n === 'sessionenv') ensureRdpCertificate(m, now);
}

export function dependentsOf(m: HostModel, s: ModelService): ModelService[] {
  return Object.values(m.services).filter((d) => d.dependsOn.some((x) => x.toLowerCase() === s.name.toLowerCase()));
}

/** The running services that stop first when `s` stops (ServiceController.Stop()), transitively, each once. */
export function runningDependents(m: HostModel, s: ModelService): ModelService[] {
  const out: ModelService[] = [];
  const walk = (x: ModelService): void => {
    for (const d of dependentsOf(m, x)) {
      if (d.state !== 'Running' || out.includes(d)) continue;
      out.push(d);
      walk(d);
    }
  };
  walk(s);
  return out;
}

/** Stops running dependents, then the service. Returns every service it stopped, dependents first. */
export function stopService(m: HostModel, s: ModelService): ModelService[] {
  if (s.state !== 'Running') return [];
  const stopped: ModelService[] = [];
  for (const d of dependentsOf(m, s)) stopped.push(...stopService(m, d));
  s.state = 'Stopped';
  s.processId = null;
  stopped.push(s);
  if (s.name.toLowerCase() === 'termservice') m.sessions = m.sessions.filter((x) => !/^RDP-Tcp#/i.test(x.winStation));
  return stopped;
}

/** A service that cannot be stopped (or has such a running dependent), as SCM error 1052. */
export function stopBlocker(m: HostModel, s: ModelService): string | null {
  if (s.state !== 'Running') return null;
  if (s.notStoppable) return `Service '${label(s)}' cannot be stopped: The requested control is not valid for this service. (Win32 error 1052)`;
  for (const d of dependentsOf(m, s)) {
    const b = stopBlocker(m, d);
    if (b) return b;
  }
  return null;
}
