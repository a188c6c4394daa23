// rdp-disabled: Terminal Server\fDenyTSConnections = 1 (local setting, no policy). TermService runs
// but the listener does not listen. Cured by cim.invoke Win32_TerminalServiceSetting.SetAllowTSConnections
// { AllowTSConnections: 1, ModifyFirewallException: 1 } (or reg.set fDenyTSConnections 0).
import { TS } from '../model/paths.ts';
import { setValue } from '../model/registry.ts';
import type { Scenario } from './types.ts';

export const rdpDisabled: Scenario = {
  name: 'rdp-disabled',
  description: 'Remote Desktop is switched off locally (fDenyTSConnections=1).',
  cause: ['rdp-enabled'],
  fix: "cim.invoke root\\cimv2\\TerminalServices Win32_TerminalServiceSetting SetAllowTSConnections {AllowTSConnections:1, ModifyFirewallException:1} (expect AllowTSConnections 0); or reg.set Terminal Server fDenyTSConnections DWord 0",
  apply: (m) => setValue(m, TS, 'fDenyTSConnections', 'DWord', 1),
};
