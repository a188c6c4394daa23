// The host model as "the same host" is judged before and after fix + undo. Excluded, and why:
// - the event log: it only grows (Windows does not un-log events);
// - empty certificate stores: cert.move creates the RdpMedicBackup store and no operation deletes a store.
// Everything else (registry, services, certificates, firewall, groups, ACLs, tasks) must be equal.
import type { HostModel } from '../../src/lab/model/index.ts';

export function comparableSnapshot(m: HostModel): unknown {
  const c = structuredClone(m) as Partial<HostModel>;
  delete c.events;
  c.certStores = Object.fromEntries(Object.entries(m.certStores).filter(([, s]) => s.certs.length > 0).map(([k, s]) => [k, structuredClone(s)]));
  return c;
}
