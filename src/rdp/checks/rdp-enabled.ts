// rdp-enabled (§3.A): fDenyTSConnections, with Group Policy precedence.
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { cimFirst } from './lib/host.ts';
import { effectiveNumber, POLICY_EXPLANATION } from './lib/registry.ts';

export const rdpEnabled = defineCheck('rdp-enabled', 'Remote Desktop is enabled', 'critical', (input, f) => {
  const got = need(input, {
    ts: ['the Terminal Server registry key', (h) => h.terminalServer],
    policy: ['the Terminal Services policy key', (h) => h.tsPolicy],
  });
  if (!got.ok) return f.unknown(`Could not tell whether Remote Desktop is enabled: ${got.missing}.`, undefined, got.evidence);
  const deny = effectiveNumber(got.v.policy, got.v.ts, 'fDenyTSConnections', 1);
  const tss = cimFirst(got.facts.tsSetting);
  const evidence = {
    fDenyTSConnections_Local: deny.local ?? null,
    fDenyTSConnections_Policy: deny.policy ?? null,
    effective: deny.value,
    source: deny.source,
    AllowTSConnections: tss?.['AllowTSConnections'] ?? null,
    PolicySourceAllowTSConnections: tss?.['PolicySourceAllowTSConnections'] ?? null,
  };
  if (deny.value === 0) {
    return f.ok(
      `Remote Desktop is enabled (fDenyTSConnections=0${deny.source === 'policy' ? ', set by Group Policy' : ''}).`,
      'Windows accepts RDP connections as far as this switch is concerned.',
      evidence,
    );
  }
  if (deny.source === 'policy') {
    return f.problem({
      summary: 'Group Policy turns Remote Desktop off (policy fDenyTSConnections=1), so the host refuses every RDP connection.',
      explanation: `A GPO sets "Allow users to connect remotely by using Remote Desktop Services" to Disabled; it wins over the local setting (local value ${deny.local ?? 'absent'}). ${POLICY_EXPLANATION}`,
      evidence,
      managedByPolicy: true,
    });
  }
  return f.problem({
    summary: `Remote Desktop is turned off on this host (fDenyTSConnections=${deny.value ?? 'absent'}), so nothing accepts RDP connections.`,
    explanation: 'The "Allow remote connections to this computer" switch is off, so the RDP listener does not accept connections. The fix turns it on through Win32_TerminalServiceSetting.SetAllowTSConnections, which also enables the built-in Remote Desktop firewall rules. Nobody is disconnected.',
    evidence,
    fix: proposeFix('enable-rdp', got.facts),
  });
});
