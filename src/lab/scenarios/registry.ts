// The built-in scenarios by name.
import { certExpiredFirewallBlocked } from './cert-expired-firewall-blocked.ts';
import { certExpired } from './cert-expired.ts';
import { certKeyAclAdminsRemoved, certKeyAclNetworkService } from './cert-key-acl.ts';
import { certKeyUnreadable } from './cert-key-unreadable.ts';
import { connectionLimit } from './connection-limit.ts';
import { dnsMismatch } from './dns-mismatch.ts';
import { firewallBlocked } from './firewall-blocked.ts';
import { fwBlockRule, fwCustomAllow } from './firewall-custom.ts';
import { healthy } from './healthy.ts';
import { listenerDown } from './listener-down.ts';
import { portChanged } from './port-changed.ts';
import { rdpDisabledByPolicy } from './rdp-disabled-by-policy.ts';
import { rdpDisabled } from './rdp-disabled.ts';
import { securityLayerMismatch } from './security-layer-mismatch.ts';
import { svcDependencyStopped } from './svc-dependency-stopped.ts';
import { termserviceStopped } from './termservice-stopped.ts';
import { tlsDisabled } from './tls-disabled.ts';
import type { Scenario } from './types.ts';
import { userNotAllowed } from './user-not-allowed.ts';
import { wmiHung } from './wmi-hung.ts';

export const SCENARIOS: ReadonlyMap<string, Scenario> = new Map(
  [
    healthy, rdpDisabled, rdpDisabledByPolicy, termserviceStopped, listenerDown, portChanged, firewallBlocked, certExpired,
    certKeyUnreadable, tlsDisabled, securityLayerMismatch, userNotAllowed, connectionLimit, dnsMismatch, svcDependencyStopped,
    certExpiredFirewallBlocked, certKeyAclNetworkService, certKeyAclAdminsRemoved, fwCustomAllow, fwBlockRule, wmiHung,
  ].map((s) => [s.name, s]),
);

/** A built-in scenario; "a+b" composes built-ins that are not registered as a pair. */
export function getScenario(name: string): Scenario {
  const s = SCENARIOS.get(name);
  if (s) return s;
  if (name.includes('+')) {
    const parts = name.split('+').map(getScenario);
    return {
      name, description: parts.map((p) => p.description).join(' '), cause: parts.flatMap((p) => p.cause),
      fix: parts.map((p) => p.fix).join('; then '), apply: (m, ctx) => parts.forEach((p) => p.apply(m, ctx)),
    };
  }
  throw new Error(`unknown scenario '${name}' (known: ${[...SCENARIOS.keys()].join(', ')})`);
}
