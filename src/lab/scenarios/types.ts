// A scenario plants one or more causes on a healthy host model. `cause` is the rdp-checks.md check
// id that should find it; `fix` describes, at op level, the fix that cures it (for docs and tests).
import type { HostModel } from '../model/host-model.ts';

export const CHECK_IDS = [
  'net-dns-resolution', 'net-winrm-identity', 'net-tcp-reachability', 'net-latency-loss', 'net-rdp-probe',
  'host-edition', 'rdp-enabled', 'rdp-logon-modes', 'svc-termservice', 'svc-rdp-dependencies',
  'listener-state', 'listener-port', 'listener-throttling', 'fw-rdp-rules', 'fw-profile-policy', 'fw-third-party',
  'cert-rdp-store', 'cert-machinekeys-acl', 'cert-binding', 'tls-schannel-protocols', 'tls-cipher-fips',
  'sec-layer-nla', 'sec-credssp-domain', 'authz-rdp-users', 'authz-user-rights', 'authz-listener-acl',
  'conn-limits', 'net-host-nic', 'net-rdp-transport', 'evt-scan',
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface ScenarioContext {
  /** The lab clock at build time (certificate dates are relative to it). */
  now: Date;
}

export interface Scenario {
  name: string;
  description: string;
  /** The check(s) that should find the planted cause(s); empty for `healthy`. */
  cause: CheckId[];
  /** The curing fix, op by op. */
  fix: string;
  apply(model: HostModel, ctx: ScenarioContext): void;
}
