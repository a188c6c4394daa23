// tcp.listeners, ip.addresses, events.query, file.acl, os.info, rdp.sessions: the host facts that
// are not registry, services, certificates, firewall or groups.
import type { RdpSession, TcpListener } from '../../../host/operations.ts';
import { listenerUp, portNumber } from '../effective.ts';
import type { HostModel } from '../host-model.ts';
import { ok, type OpContext, type OpOf, type OpOutcome } from './types.ts';

/** Static listeners plus TermService on PortNumber (IPv4 and IPv6) while the RDP listener is up. */
export function tcpListeners(model: HostModel): TcpListener[] {
  const out = structuredClone(model.staticListeners);
  const ts = model.services['termservice'];
  if (listenerUp(model) && ts?.processId) {
    for (const localAddress of ['0.0.0.0', '::']) {
      out.push({ localAddress, localPort: portNumber(model), owningProcess: ts.processId, processName: 'svchost', services: ['TermService'] });
    }
  }
  return out.sort((a, b) => a.localPort - b.localPort || a.localAddress.localeCompare(b.localAddress));
}

/** The services a process hosts, as Win32_Service reports them (the runtime joins on ProcessId, so must the lab). */
const servicesIn = (model: HostModel, pid: number): string[] =>
  Object.values(model.services).filter((s) => s.processId === pid && s.processId !== 0).map((s) => s.name);

export function tcpListenersOp({ model }: OpContext, op: OpOf<'tcp.listeners'>): OpOutcome {
  return ok(tcpListeners(model).filter((l) => op.port === undefined || l.localPort === op.port).map((l) => ({ ...l, services: servicesIn(model, l.owningProcess) })));
}

export function ipAddresses({ model }: OpContext): OpOutcome {
  return ok(structuredClone(model.ipAddresses));
}

/** Newest first, like Get-WinEvent; providers empty = any provider. */
export function eventsQuery({ model, now }: OpContext, op: OpOf<'events.query'>): OpOutcome {
  const since = now.getTime() - op.sinceMinutes * 60_000;
  const providers = op.providers.map((p) => p.toLowerCase());
  const hits = model.events
    .filter((e) => e.log.toLowerCase() === op.log.toLowerCase())
    .filter((e) => providers.length === 0 || providers.includes(e.provider.toLowerCase()))
    .filter((e) => op.ids === undefined || op.ids.includes(e.id))
    .filter((e) => Date.parse(e.timeCreated) >= since && Date.parse(e.timeCreated) <= now.getTime())
    .sort((a, b) => Date.parse(b.timeCreated) - Date.parse(a.timeCreated));
  return ok(structuredClone(hits.slice(0, op.max)));
}

export function fileAcl({ model }: OpContext, op: OpOf<'file.acl'>): OpOutcome {
  const acl = model.fileAcls[op.path.toLowerCase().replace(/\//g, '\\').replace(/\\+$/, '')];
  return ok(acl ? structuredClone(acl) : { path: op.path, exists: false, ownerSid: null, access: [] });
}

export function osInfo({ model, now }: OpContext): OpOutcome {
  // Win32_ComputerSystem.Domain names the workgroup when the host is not joined: the runtime reports null then.
  const os = structuredClone(model.os);
  return ok({ computerName: model.computerName, ...os, domain: os.partOfDomain ? os.domain : null, utcNow: now.toISOString() });
}

/** WTS sessions: the user sessions plus the RDP-Tcp listener (65536, Listen) while it is up. With
 *  TermService stopped WTSEnumerateSessions fails on a real host; the lab returns an empty list. */
export function rdpSessions(model: HostModel): RdpSession[] {
  if (model.services['termservice']?.state !== 'Running') return [];
  const out = structuredClone(model.sessions);
  if (listenerUp(model)) out.push({ id: 65536, winStation: 'RDP-Tcp', user: null, state: 6, clientName: null });
  return out;
}

export function rdpSessionsOp({ model }: OpContext): OpOutcome {
  return ok(rdpSessions(model));
}
