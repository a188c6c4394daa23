// connection-limit: RDP-Tcp MaxInstanceCount = 1 and another user (CONTOSO\alice) holds an active
// RDP session, so a new connection is refused. Cured by reg.set RDP-Tcp MaxInstanceCount DWord
// 4294967295 (unlimited; expect DWord 1) -- or, disruptively, logging the other session off.
import { madeUpSid } from '../model/accounts.ts';
import { RDP_TCP } from '../model/paths.ts';
import { setValue } from '../model/registry.ts';
import { event, RCM_PROVIDER } from './helpers.ts';
import type { Scenario } from './types.ts';

export const connectionLimit: Scenario = {
  name: 'connection-limit',
  description: 'The listener allows one connection (MaxInstanceCount=1) and another user is connected.',
  cause: ['conn-limits'],
  fix: 'reg.set RDP-Tcp MaxInstanceCount DWord 4294967295 (expect exists DWord 1)',
  apply: (m, { now }) => {
    setValue(m, RDP_TCP, 'MaxInstanceCount', 'DWord', 1);
    m.sessions.push({ id: 2, winStation: 'RDP-Tcp#0', user: 'CONTOSO\\alice', state: 0, clientName: 'ALICE-PC' });
    m.events.push(
      event(now, 95, {
        log: 'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational', provider: RCM_PROVIDER, id: 1149, level: 4,
        properties: ['alice', 'CONTOSO', '10.20.30.40', madeUpSid('CONTOSO', 'alice')],
      }),
    );
  },
};
