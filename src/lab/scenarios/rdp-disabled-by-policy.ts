// rdp-disabled-by-policy: the policy value ...\Policies\Microsoft\Windows NT\Terminal Services\
// fDenyTSConnections = 1 overrides the local 0 (a GPO "Allow users to connect remotely" = Disabled).
// PolicySourceAllowTSConnections = 1. The real fix is the GPO; the temporary host-side cure is
// reg.delete of the policy value (undo: reg.set it back to 1), which the next refresh would revert.
import { POLICY } from '../model/paths.ts';
import { setValue } from '../model/registry.ts';
import type { Scenario } from './types.ts';

export const rdpDisabledByPolicy: Scenario = {
  name: 'rdp-disabled-by-policy',
  description: 'Group Policy denies Remote Desktop connections (policy fDenyTSConnections=1, local 0).',
  cause: ['rdp-enabled'],
  fix: 'escalate to the GPO owner; temporary: reg.delete HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services fDenyTSConnections (expect exists DWord 1)',
  apply: (m) => setValue(m, POLICY, 'fDenyTSConnections', 'DWord', 1),
};
