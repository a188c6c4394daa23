// An inventory host as the doctor sees it: the name users type, where RDP and WinRM answer, who connects.
import type { ResolvedHost } from '../config/load.ts';
import type { CheckTarget } from './types.ts';

export function checkTarget(host: ResolvedHost): CheckTarget {
  const address = host.config.address ?? host.id;
  return {
    id: host.id,
    address,
    rdpHost: host.config.rdp?.host ?? address,
    // The port clients use (behind NAT or in the lab it may differ from the host's own PortNumber).
    rdpPort: host.config.rdp?.port ?? 3389,
    winrmUrl: host.config.winrm.url,
    rdpUsers: host.config.rdpUsers,
  };
}
