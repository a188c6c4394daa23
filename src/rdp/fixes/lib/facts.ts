// Reading the diagnosis facts the way the fix builders need them: exact registry value states (the
// compare-and-set preconditions), services, certificates. Every accessor returns a `Missing` reason
// instead of guessing when the evidence is absent: a fix is never built on missing evidence.
import { isFactError, REGISTRY_PATHS, SCHANNEL_PROTOCOLS } from '../../read-plan.ts';
import type { Fact, HostFacts, RdpServiceName } from '../../read-plan.ts';
import type { CertificateInfo, ReadValueOf, RegistryValueState, ServiceInfo } from '../../../host/operations.ts';
import { keyDenied } from '../../checks/lib/host.ts';

export const RDP_STORE = 'Remote Desktop';
export const BACKUP_STORE = 'RdpMedicBackup';
export const RDU_SID = 'S-1-5-32-555';
export const ADMINISTRATORS_SID = 'S-1-5-32-544';
export const UNLIMITED_DWORD = 0xffffffff;
export const SCHANNEL_BASE = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols';

/** Why a fact is unusable, in plain words (the builder turns it into notApplicable). */
export class Missing {
  constructor(readonly reason: string) {}
}

export function fact<T>(f: Fact<T>, what: string): T | Missing {
  return isFactError(f) ? new Missing(`${what} could not be read (${f.error.code}: ${f.error.message})`) : f;
}

type RegKey = ReadValueOf<'reg.key'>;

/** The registry keys of the read plan by path, so a value's state can be looked up from its key. */
function keyFacts(facts: HostFacts): Array<{ path: string; fact: Fact<RegKey> }> {
  return [
    { path: REGISTRY_PATHS.terminalServer, fact: facts.terminalServer },
    { path: REGISTRY_PATHS.winStations, fact: facts.winStations },
    { path: REGISTRY_PATHS.rdpTcp, fact: facts.rdpTcp },
    { path: REGISTRY_PATHS.tsPolicy, fact: facts.tsPolicy },
    ...SCHANNEL_PROTOCOLS.map((p) => ({ path: `${SCHANNEL_BASE}\\${p}\\Server`, fact: facts.schannel[p] })),
  ];
}

/**
 * The exact state of one value as the read plan saw it (exists/kind/data), for a key the read plan
 * reads. A missing key means a missing value (exists false), as Get-ItemProperty sees it.
 */
export function regState(facts: HostFacts, path: string, name: string): RegistryValueState | Missing {
  const k = keyFacts(facts).find((x) => x.path.toLowerCase() === path.toLowerCase());
  if (!k) return new Missing(`the diagnosis does not read ${path}`);
  const key = fact(k.fact, `registry key ${path}`);
  if (key instanceof Missing) return key;
  const v = key.exists ? key.values.find((x) => x.name.toLowerCase() === name.toLowerCase()) : undefined;
  return v ? { path, name, exists: true, kind: v.kind, data: structuredClone(v.data) } : { path, name, exists: false, kind: null, data: null };
}

/** A DWord value as a number, or undefined when absent (or not a number). */
export const dwordOf = (s: RegistryValueState): number | undefined => (s.exists && typeof s.data === 'number' ? s.data >>> 0 : undefined);

export function service(facts: HostFacts, name: RdpServiceName): ServiceInfo | Missing {
  const s = fact(facts.services[name], `service ${name}`);
  if (s instanceof Missing) return s;
  if (!s.exists || s.state === null || s.startType === null) return new Missing(`service ${name} does not exist on the host`);
  return s;
}

export function rdpCertificates(facts: HostFacts): CertificateInfo[] | Missing {
  return fact(facts.certsRemoteDesktop, `the "${RDP_STORE}" certificate store`);
}

/** What TermService needs of a certificate: valid now and a private key it can open. */
export function certProblem(c: CertificateInfo, now: Date): string | null {
  if (Date.parse(c.notAfter) <= now.getTime()) return `expired on ${c.notAfter.slice(0, 10)}`;
  if (Date.parse(c.notBefore) > now.getTime()) return `not valid before ${c.notBefore.slice(0, 10)}`;
  if (!c.hasPrivateKey) return 'has no private key';
  const denied = keyDenied(c);
  if (denied) return `its private key cannot be used: ${denied}`;
  return null;
}

export function computerName(facts: HostFacts): string {
  return (isFactError(facts.os) ? facts.host : facts.os.computerName).toUpperCase();
}

/** The fact, or throws its Missing reason (defineFix turns it into notApplicable). */
export function need<T>(x: T | Missing): T {
  if (x instanceof Missing) throw x;
  return x;
}
