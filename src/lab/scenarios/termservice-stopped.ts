// termservice-stopped: TermService (and its dependent UmRdpService) Stopped, start type Manual
// (not a fault by itself). Cured by service.control start TermService (expectState Stopped), then
// service.control start UmRdpService.
import { stopService } from '../model/services.ts';
import { service } from './helpers.ts';
import type { Scenario } from './types.ts';

export const termserviceStopped: Scenario = {
  name: 'termservice-stopped',
  description: 'Remote Desktop Services (TermService) is stopped; start type Manual.',
  cause: ['svc-termservice'],
  fix: 'service.control TermService start (expectState Stopped); service.control UmRdpService start',
  apply: (m) => {
    const ts = service(m, 'TermService');
    ts.startType = 'Manual';
    stopService(m, ts);
  },
};
