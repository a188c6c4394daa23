// listener-down: the RDP-Tcp winstation is disabled (fEnableWinStation=0): TermService runs, RDP is
// allowed, but nothing listens (listener-state shows the symptom; rdp-logon-modes names the switch).
// Cured by reg.set RDP-Tcp fEnableWinStation DWord 1 (or cim.invoke Win32_Terminal.Enable {Enable:1}),
// then service.control TermService restart.
import { RDP_TCP } from '../model/paths.ts';
import { setValue } from '../model/registry.ts';
import type { Scenario } from './types.ts';

export const listenerDown: Scenario = {
  name: 'listener-down',
  description: 'The RDP-Tcp listener is disabled (fEnableWinStation=0); TermService runs but does not listen.',
  cause: ['rdp-logon-modes', 'listener-state'],
  fix: 'reg.set RDP-Tcp fEnableWinStation DWord 1 (expect exists DWord 0); service.control TermService restart',
  apply: (m) => setValue(m, RDP_TCP, 'fEnableWinStation', 'DWord', 0),
};
