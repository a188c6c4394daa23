// tls-disabled: SCHANNEL\Protocols\TLS 1.0, 1.1, 1.2 (and 1.3) \Server Enabled=0, DisabledByDefault=1:
// no TLS version is left for the RDP listener; Schannel logs 36871 (10013). Cured by reg.set
// TLS 1.2\Server Enabled DWord 1 and DisabledByDefault DWord 0, then service.control TermService
// restart (TLS 1.0/1.1 stay off: enabling them is a downgrade).
import type { RegistryKind } from '../../host/operations.ts';
import { SCHANNEL_PROTOCOLS } from '../model/paths.ts';
import { setValue } from '../model/registry.ts';
import { event } from './helpers.ts';
import type { Scenario } from './types.ts';

export const tlsDisabled: Scenario = {
  name: 'tls-disabled',
  description: 'All server-side TLS versions are disabled in Schannel.',
  cause: ['tls-schannel-protocols'],
  fix: 'reg.set SCHANNEL\\Protocols\\TLS 1.2\\Server Enabled DWord 1 (expect DWord 0) and DisabledByDefault DWord 0 (expect DWord 1); service.control TermService restart',
  apply: (m, { now }) => {
    const kind: RegistryKind = 'DWord';
    for (const v of ['TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3']) {
      setValue(m, `${SCHANNEL_PROTOCOLS}\\${v}\\Server`, 'Enabled', kind, 0);
      setValue(m, `${SCHANNEL_PROTOCOLS}\\${v}\\Server`, 'DisabledByDefault', kind, 1);
    }
    m.events.push(event(now, 20, { log: 'System', provider: 'Schannel', id: 36871, level: 2, properties: ['10013'] }));
  },
};
