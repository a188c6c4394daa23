// enable-rdp-listener (rdp-logon-modes): the listener and server switches back to their healthy
// values ([S8]): RDP-Tcp fEnableWinStation 1, fLogonDisabled 0; Terminal Server TSEnabled 1,
// TSUserEnabled 0. Only values that are present and wrong are written (an absent value is the
// default, healthy). Then TermService is restarted (or started) so the listener comes up.
import { REGISTRY_PATHS } from '../read-plan.ts';
import type { Operation } from '../../host/operations.ts';
import { dwordOf, Missing, regState } from './lib/facts.ts';
import { makeFixPlan, notApplicable, regSet, defineFix } from './lib/plan.ts';
import { reloadTermService } from './lib/termservice.ts';

const SWITCHES: Array<{ path: string; name: string; healthy: number }> = [
  { path: REGISTRY_PATHS.rdpTcp, name: 'fEnableWinStation', healthy: 1 },
  { path: REGISTRY_PATHS.rdpTcp, name: 'fLogonDisabled', healthy: 0 },
  { path: REGISTRY_PATHS.terminalServer, name: 'TSEnabled', healthy: 1 },
  { path: REGISTRY_PATHS.terminalServer, name: 'TSUserEnabled', healthy: 0 },
];

export const enableRdpListener = defineFix('enable-rdp-listener', (ctx) => {
  const ops: Operation[] = [];
  for (const sw of SWITCHES) {
    const seen = regState(ctx.facts, sw.path, sw.name);
    if (seen instanceof Missing) return notApplicable(seen.reason);
    if (seen.exists && dwordOf(seen) !== sw.healthy) ops.push(regSet(`set-${sw.name}`, seen, 'DWord', sw.healthy));
  }
  if (!ops.length) return notApplicable('the RDP-Tcp listener switches are already enabled (fEnableWinStation, fLogonDisabled, TSEnabled, TSUserEnabled)');
  const reload = reloadTermService(ctx.facts, { startIfStopped: false });
  if (reload instanceof Missing) return notApplicable(reload.reason);
  if (reload) ops.push(...reload);
  return makeFixPlan('enable-rdp-listener', ctx, { ops, recheck: ['rdp-logon-modes', 'listener-state'], expectRdpTls: true });
});
