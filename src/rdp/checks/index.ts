// The registry of checks: one per CHECK_ID (rdp-checks.md §4), each in a file named by its id.
import { CHECK_IDS, type CheckId, type CheckInput, type Finding } from '../types.ts';
import type { Check } from './lib/check.ts';
import { authzListenerAcl } from './authz-listener-acl.ts';
import { authzRdpUsers } from './authz-rdp-users.ts';
import { authzUserRights } from './authz-user-rights.ts';
import { certBinding } from './cert-binding.ts';
import { certMachinekeysAcl } from './cert-machinekeys-acl.ts';
import { certRdpStore } from './cert-rdp-store.ts';
import { connLimits } from './conn-limits.ts';
import { evtScan } from './evt-scan.ts';
import { fwProfilePolicy } from './fw-profile-policy.ts';
import { fwRdpRules } from './fw-rdp-rules.ts';
import { fwThirdParty } from './fw-third-party.ts';
import { hostEdition } from './host-edition.ts';
import { listenerPort } from './listener-port.ts';
import { listenerState } from './listener-state.ts';
import { listenerThrottling } from './listener-throttling.ts';
import { netDnsResolution } from './net-dns-resolution.ts';
import { netHostNic } from './net-host-nic.ts';
import { netLatencyLoss } from './net-latency-loss.ts';
import { netRdpProbe } from './net-rdp-probe.ts';
import { netRdpTransport } from './net-rdp-transport.ts';
import { netTcpReachability } from './net-tcp-reachability.ts';
import { netWinrmIdentity } from './net-winrm-identity.ts';
import { rdpEnabled } from './rdp-enabled.ts';
import { rdpLogonModes } from './rdp-logon-modes.ts';
import { secCredsspDomain } from './sec-credssp-domain.ts';
import { secLayerNla } from './sec-layer-nla.ts';
import { svcRdpDependencies } from './svc-rdp-dependencies.ts';
import { svcTermservice } from './svc-termservice.ts';
import { tlsCipherFips } from './tls-cipher-fips.ts';
import { tlsSchannelProtocols } from './tls-schannel-protocols.ts';

export type { Check } from './lib/check.ts';
export { CAUSE_RANK, orderFindings } from './order.ts';

/** One entry per check id: the compiler refuses a missing or an extra one. */
const REGISTRY: Readonly<Record<CheckId, Check>> = {
  'host-edition': hostEdition,
  'net-dns-resolution': netDnsResolution,
  'rdp-enabled': rdpEnabled,
  'svc-termservice': svcTermservice,
  'svc-rdp-dependencies': svcRdpDependencies,
  'rdp-logon-modes': rdpLogonModes,
  'listener-port': listenerPort,
  'fw-profile-policy': fwProfilePolicy,
  'fw-rdp-rules': fwRdpRules,
  'cert-machinekeys-acl': certMachinekeysAcl,
  'cert-rdp-store': certRdpStore,
  'cert-binding': certBinding,
  'tls-schannel-protocols': tlsSchannelProtocols,
  'tls-cipher-fips': tlsCipherFips,
  'sec-layer-nla': secLayerNla,
  'sec-credssp-domain': secCredsspDomain,
  'authz-rdp-users': authzRdpUsers,
  'authz-user-rights': authzUserRights,
  'authz-listener-acl': authzListenerAcl,
  'conn-limits': connLimits,
  'listener-throttling': listenerThrottling,
  'listener-state': listenerState,
  'net-rdp-probe': netRdpProbe,
  'net-tcp-reachability': netTcpReachability,
  'net-winrm-identity': netWinrmIdentity,
  'net-latency-loss': netLatencyLoss,
  'net-host-nic': netHostNic,
  'net-rdp-transport': netRdpTransport,
  'fw-third-party': fwThirdParty,
  'evt-scan': evtScan,
};

/** Every check, in CHECK_IDS order. */
export const CHECKS: ReadonlyMap<CheckId, Check> = new Map(CHECK_IDS.map((id) => {
  if (REGISTRY[id].id !== id) throw new Error(`check registry: ${id} is registered as ${REGISTRY[id].id}`);
  return [id, REGISTRY[id]];
}));

/**
 * Runs every check. A check that throws (a bug, or a fact shape nobody foresaw) becomes an
 * `unknown` finding: one broken check must not take the diagnosis down.
 */
export function evaluateChecks(input: CheckInput): Finding[] {
  return [...CHECKS.values()].map((c) => {
    try {
      return c.evaluate(input);
    } catch (err) {
      return {
        check: c.id, title: c.title, verdict: 'unknown', severity: 'info',
        summary: `The check could not be evaluated (internal error: ${err instanceof Error ? err.message : String(err)}).`,
        explanation: 'This is a bug in rdp-medic, not a finding about the host. The other findings are unaffected.',
        evidence: {}, fix: null,
      } satisfies Finding;
    }
  });
}
