// port-changed: RDP-Tcp PortNumber = 3390 while the firewall rules still open 3389, so the listener
// is up on a port nobody expects and the firewall blocks. Cured by reg.set PortNumber DWord 3389
// (expect 3390) and service.control TermService restart.
import { RDP_TCP } from '../model/paths.ts';
import { setValue } from '../model/registry.ts';
import type { Scenario } from './types.ts';

export const portChanged: Scenario = {
  name: 'port-changed',
  description: 'The RDP port was changed to 3390; the firewall rules still allow 3389 only.',
  cause: ['listener-port'],
  fix: 'reg.set RDP-Tcp PortNumber DWord 3389 (expect exists DWord 3390); service.control TermService restart',
  apply: (m) => setValue(m, RDP_TCP, 'PortNumber', 'DWord', 3390),
};
