// svc-dependency-stopped: SessionEnv (Remote Desktop Configuration) Disabled and Stopped. RDP still
// listens, but the self-signed certificate cannot be regenerated through SessionEnv, and starting it
// fails with 1058. Cured by service.startType SessionEnv Manual (expect Disabled), then
// service.control SessionEnv start.
import { stopService } from '../model/services.ts';
import { service } from './helpers.ts';
import type { Scenario } from './types.ts';

export const svcDependencyStopped: Scenario = {
  name: 'svc-dependency-stopped',
  description: 'Remote Desktop Configuration (SessionEnv) is disabled and stopped.',
  cause: ['svc-rdp-dependencies'],
  fix: 'service.startType SessionEnv Manual (expectStartType Disabled); service.control SessionEnv start',
  apply: (m) => {
    const s = service(m, 'SessionEnv');
    stopService(m, s);
    s.startType = 'Disabled';
  },
};
