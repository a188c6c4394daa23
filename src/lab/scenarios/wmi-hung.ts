// wmi-hung (issue 10, review point 2): the TerminalServices WMI provider never answers, so every
// cim.query / cim.invoke in root\cimv2\TerminalServices times out (the first after the plan's
// cimTimeoutSec, the rest skipped at once). The diagnosis completes with the other facts; the checks
// that need Win32_TerminalServiceSetting / Win32_TSGeneralSetting say unknown and why, never ok.
// Nothing is broken for RDP itself: no cause, no fix.
import type { Scenario } from './types.ts';

export const WMI_HUNG_NAMESPACE = 'root\\cimv2\\terminalservices';

export const wmiHung: Scenario = {
  name: 'wmi-hung',
  description: 'The TerminalServices WMI provider hangs: CIM queries in root\\cimv2\\TerminalServices never answer.',
  cause: [],
  fix: '(no rdp-medic fix) restart the WMI provider host (Winmgmt) or reboot; the other facts are still read',
  apply: (m) => {
    if (!m.hungCimNamespaces.includes(WMI_HUNG_NAMESPACE)) m.hungCimNamespaces.push(WMI_HUNG_NAMESPACE);
  },
};
