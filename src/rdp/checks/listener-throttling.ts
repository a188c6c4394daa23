// listener-throttling (§3.C): connection floods (RCM 1006), brute force (4625 bursts), a listener bound
// to one adapter. The connection cap (MaxInstanceCount) is conn-limits' job.
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { minutesAgo } from './lib/dates.ts';
import { cimFirst } from './lib/host.ts';
import { regNumber } from './lib/registry.ts';

export const BRUTE_FORCE_PER_HOUR = 50;

export const listenerThrottling = defineCheck('listener-throttling', 'RDP listener not throttled or flooded', 'high', (input, f) => {
  const got = need(input, {
    ts: ['the Terminal Server registry key', (h) => h.terminalServer],
    rdpTcp: ['the RDP-Tcp registry key', (h) => h.rdpTcp],
    ev1006: ['the RemoteConnectionManager/Admin log (event 1006)', (h) => h.events.rcmAdmin],
    ev4625: ['the Security log (failed logons, 4625)', (h) => h.events.failedLogons],
  });
  if (!got.ok) return f.unknown(`Could not tell whether the RDP listener is throttled or flooded: ${got.missing}.`, undefined, got.evidence);
  const flood = got.v.ev1006.filter((e) => e.id === 1006);
  const failedLastHour = got.v.ev4625.filter((e) => e.id === 4625 && minutesAgo(input.now, e.timeCreated) <= 60).length;
  const lanAdapter = regNumber(got.v.rdpTcp, 'LanAdapter') ?? 0;
  const adapter = cimFirst(got.facts.tsNetworkAdapter);
  const evidence = {
    ev1006Last24h: flood.length,
    failedLogonsLastHour: failedLastHour,
    LanAdapter: lanAdapter,
    MaxOutstandingConnections: regNumber(got.v.ts, 'MaxOutstandingConnections') ?? null,
    networkAdapter: adapter ? { id: adapter['NetworkAdapterID'] ?? null, name: adapter['NetworkAdapterName'] ?? null } : 'not read (Win32_TSNetworkAdapterSetting unavailable)',
  };
  if (flood.length) {
    return f.problem({
      summary: `Windows logged ${flood.length} "too many incomplete connections" event(s) (RCM 1006) in the last 24 hours: the RDP listener is throttling new connections, probably under a scan or brute-force attack.`,
      explanation: 'Under a connection flood the listener stops accepting for a while, which clients see as refused or dropped connections. Restrict who can reach the RDP port (firewall RemoteAddress scope, VPN, bastion or just-in-time access). Raising MaxOutstandingConnections weakens the protection and needs a security decision; escalate.',
      evidence,
    });
  }
  if (failedLastHour >= BRUTE_FORCE_PER_HOUR) {
    return f.warning({
      summary: `${failedLastHour} failed logons (4625) in the last hour suggest a brute-force attack, which can exhaust the RDP listener.`,
      explanation: 'Brute-force traffic uses up RDP resources and can cause connection errors. Scope the firewall rule to management networks or put RDP behind a VPN/bastion; escalate to security.',
      evidence,
    });
  }
  if (lanAdapter !== 0) {
    return f.warning({
      summary: `The RDP listener is bound to one network adapter (LanAdapter=${lanAdapter}), so it does not listen on the host's other addresses.`,
      explanation: 'If that adapter is gone or down, RDP listens nowhere useful. Rebind it to all adapters (Win32_TSNetworkAdapterSetting.SelectAllNetworkAdapters, then restart TermService); escalate.',
      evidence,
    });
  }
  return f.ok('The RDP listener is not throttled: no connection-flood events, no brute-force burst, bound to all adapters.', 'Nothing suggests the listener is refusing connections under load.', evidence);
});
