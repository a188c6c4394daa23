// The fix catalogue: every cure rdp-medic can apply, by id. Checks name a fix by id; the plan
// builders (one file per fix) turn the diagnosis facts into a compare-and-set write plan.
import type { HostFacts } from '../../host/read-plan.ts';
import type { FixProposal, FixRisk } from '../types.ts';

export const FIX_IDS = [
  'enable-rdp', // rdp-enabled (local value): SetAllowTSConnections(1, 1), also enables the firewall exception
  'start-termservice', // svc-termservice stopped or disabled: start type Manual if Disabled, start TermService + UmRdpService
  'restart-termservice', // listener-state: running but not listening
  'enable-rdp-listener', // rdp-logon-modes: fEnableWinStation 1 / fLogonDisabled 0 / TSEnabled 1, then restart TermService
  'reset-rdp-port', // listener-port: PortNumber back to 3389, restart TermService
  'enable-rdp-firewall-rules', // fw-rdp-rules: enable RemoteDesktop-UserMode-In-TCP/-UDP
  'regenerate-rdp-certificate', // cert-rdp-store / cert-machinekeys-acl: move the bad cert to a backup store, restart SessionEnv
  'enable-tls12', // tls-schannel-protocols: TLS 1.2\Server Enabled 1, DisabledByDefault 0, restart TermService
  'restore-security-layer', // sec-layer-nla: SetSecurityLayer(2) (TLS) and NLA on
  'disable-nla-temporarily', // break-glass: NLA off for 60 minutes, reverts itself on the host
  'add-rdp-user', // authz-rdp-users: add the user to Remote Desktop Users (S-1-5-32-555)
  'raise-connection-limit', // conn-limits: MaxInstanceCount unlimited
  'start-rdp-dependency', // svc-rdp-dependencies: start type Manual if Disabled, start the service
] as const;
export type KnownFixId = (typeof FIX_IDS)[number];

export interface FixInfo {
  id: KnownFixId;
  title: string;
  risk: FixRisk;
  /** Plain words: what changes, what it disrupts, whether it weakens security (facts make it specific). */
  impact(facts: HostFacts): string;
}
