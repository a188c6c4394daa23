// net-rdp-transport (§3.H): UDP transport and keep-alive on lossy links. Mostly mid-session drops,
// not 0x904 at connect time, so this only warns when the network is lossy and UDP is in use.
import { defineCheck } from './lib/check.ts';
import { maybe, need } from './lib/facts.ts';
import { regNumber } from './lib/registry.ts';

export const netRdpTransport = defineCheck('net-rdp-transport', 'RDP transport and keep-alive', 'low', (input, f) => {
  const got = need(input, { policy: ['the Terminal Services policy key', (h) => h.tsPolicy] });
  if (!got.ok) return f.unknown(`Could not check the RDP transport settings: ${got.missing}.`, undefined, got.evidence);
  const select = regNumber(got.v.policy, 'SelectTransport');
  const keepAlive = regNumber(got.v.policy, 'KeepAliveEnable');
  const udpRule = (maybe(got.facts.firewallRules) ?? []).find((r) => r.name === 'RemoteDesktop-UserMode-In-UDP');
  const loss = input.probes.latency && input.probes.tcpRdp.state === 'open' ? input.probes.latency.lossPct : null;
  const evidence = { SelectTransport: select ?? null, KeepAliveEnable: keepAlive ?? null, udpRuleEnabled: udpRule?.enabled ?? null, lossPct: loss };
  if (loss !== null && loss > 0 && select !== 1 && keepAlive !== 1) {
    return f.warning({
      summary: `The link to the host loses packets (${loss}%) and RDP uses UDP without keep-alive, so sessions may freeze or drop.`,
      explanation: 'On lossy or NAT-ed links, TCP-only transport (GPO "Select RDP transport protocols" = Use only TCP) and RDP keep-alive make sessions steadier. These are policy settings: change them in the GPO. Do not apply the Azure reset script blindly: it also lowers SecurityLayer.',
      evidence,
    });
  }
  return f.ok(`RDP transport settings are fine for this link (${select === 1 ? 'TCP only' : 'UDP and TCP'}${keepAlive === 1 ? ', keep-alive on' : ''}).`, 'Nothing in the transport settings explains connection failures.', evidence);
});
