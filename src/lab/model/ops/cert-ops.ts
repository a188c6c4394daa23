// cert.list, cert.remove, cert.move over the LocalMachine stores. Store names may be given bare
// ("Remote Desktop") or as a provider path ("Cert:\LocalMachine\Remote Desktop"). Thumbprints are
// compared upper-case with anything but hex stripped (the invisible-character trap of [S6]).
// Certificates are reported as HostCertificate (the DER and what only the host knows: key
// association and key file ACL); `store` echoes the store name as the plan gave it, as the runtime
// does. A missing store lists as [] (Get-ChildItem on a store nobody created); moving or removing
// from it is NotFound.
import type { HostCertificate } from '../../../host/operations.ts';
import type { CertStore, HostModel, ModelCertificate } from '../host-model.ts';
import { hostCertificate, removeKeyFileOf } from '../rdp-cert.ts';
import { fail, ok, type OpContext, type OpOf, type OpOutcome } from './types.ts';

export function storeKey(store: string): string | null {
  const s = store.trim().replace(/^cert:\\?/i, '');
  const m = /^(?:(localmachine|currentuser)\\)?(.+)$/i.exec(s);
  if (!m || m[1]?.toLowerCase() === 'currentuser') return null;
  return (m[2] ?? '').toLowerCase();
}

export const cleanThumbprint = (t: string): string => t.replace(/[^0-9a-fA-F]/g, '').toUpperCase();

export function certInfo(model: HostModel, c: ModelCertificate, store: string): HostCertificate {
  return hostCertificate(model, c, store);
}

function findStore(model: HostModel, store: string): CertStore | OpOutcome {
  const key = storeKey(store);
  if (key === null) return fail('InvalidArgument', `Only LocalMachine certificate stores are supported: '${store}'`);
  return model.certStores[key] ?? fail('NotFound', `Cannot find path 'Cert:\\LocalMachine\\${store}' because it does not exist.`);
}

const isOutcome = (x: CertStore | OpOutcome): x is OpOutcome => 'ok' in x;

export function certList({ model }: OpContext, op: OpOf<'cert.list'>): OpOutcome {
  const store = findStore(model, op.store);
  if (isOutcome(store)) return store.ok || store.error.code !== 'NotFound' ? store : ok([]);
  return ok(store.certs.map((c) => certInfo(model, c, op.store)));
}

export function take(model: HostModel, storeName: string, thumbprint: string): { store: CertStore; index: number } | OpOutcome {
  const store = findStore(model, storeName);
  if (isOutcome(store)) return store;
  const t = cleanThumbprint(thumbprint);
  const index = store.certs.findIndex((c) => c.thumbprint === t);
  return index >= 0 ? { store, index } : fail('NotFound', `No certificate with thumbprint ${t} in Cert:\\LocalMachine\\${store.name}`);
}

/** Removes the certificate (and its key): not undoable, prefer cert.move. */
export function certRemove({ model }: OpContext, op: OpOf<'cert.remove'>): OpOutcome {
  const found = take(model, op.store, op.thumbprint);
  if ('ok' in found) return found;
  const cert = found.store.certs[found.index];
  if (!cert) return fail('Failed', 'certificate vanished');
  const previous = certInfo(model, cert, op.store);
  found.store.certs.splice(found.index, 1);
  removeKeyFileOf(model, cert);
  return ok(null, previous);
}

/** Moves the certificate with its key association; the target store is created when missing. */
export function certMove({ model }: OpContext, op: OpOf<'cert.move'>): OpOutcome {
  const toKey = storeKey(op.toStore);
  if (toKey === null) return fail('InvalidArgument', `Only LocalMachine certificate stores are supported: '${op.toStore}'`);
  const found = take(model, op.fromStore, op.thumbprint);
  if ('ok' in found) return found;
  const cert = found.store.certs[found.index];
  if (!cert) return fail('Failed', 'certificate vanished');
  let target = model.certStores[toKey];
  if (target === found.store) return ok(certInfo(model, cert, op.toStore), certInfo(model, cert, op.fromStore));
  if (target?.certs.some((c) => c.thumbprint === cert.thumbprint)) return fail('Failed', `Certificate ${cert.thumbprint} already exists in ${target.name}`);
  if (!target) {
    const display = op.toStore.trim().replace(/^cert:\\?/i, '').replace(/^localmachine\\/i, '');
    target = { name: display, certs: [] };
    model.certStores[toKey] = target;
  }
  found.store.certs.splice(found.index, 1);
  target.certs.push(cert);
  return ok(certInfo(model, cert, op.toStore), certInfo(model, cert, op.fromStore));
}
