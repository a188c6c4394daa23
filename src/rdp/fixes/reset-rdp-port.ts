// reset-rdp-port (listener-port): PortNumber back to 3389, where clients and the built-in firewall
// rules expect it; TermService reads the port when it starts, so restart it when it runs.
import { REGISTRY_PATHS } from '../read-plan.ts';
import type { Operation } from '../../host/operations.ts';
import { dwordOf, Missing, regState } from './lib/facts.ts';
import { makeFixPlan, notApplicable, regSet, defineFix } from './lib/plan.ts';
import { reloadTermService } from './lib/termservice.ts';

export const resetRdpPort = defineFix('reset-rdp-port', (ctx) => {
  const port = regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'PortNumber');
  if (port instanceof Missing) return notApplicable(port.reason);
  if (!port.exists || dwordOf(port) === 3389) return notApplicable('RDP-Tcp already uses port 3389');
  const ops: Operation[] = [regSet('set-PortNumber', port, 'DWord', 3389)];
  const reload = reloadTermService(ctx.facts, { startIfStopped: false });
  if (reload instanceof Missing) return notApplicable(reload.reason);
  if (reload) ops.push(...reload);
  return makeFixPlan('reset-rdp-port', ctx, { ops, recheck: ['listener-port'], expectRdpTls: true });
});
