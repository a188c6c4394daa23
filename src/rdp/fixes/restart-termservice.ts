// restart-termservice (listener-state): TermService runs but nothing listens on the RDP port.
// Only when the cause is not one of the switches other fixes own (RDP denied, listener disabled).
import { REGISTRY_PATHS } from '../read-plan.ts';
import { dwordOf, fact, need, regState, service } from './lib/facts.ts';
import { defineFix, makeFixPlan, notApplicable, restartSteps } from './lib/plan.ts';

export const restartTermService = defineFix('restart-termservice', (ctx) => {
  const ts = need(service(ctx.facts, 'TermService'));
  if (ts.state !== 'Running') return notApplicable(`TermService is ${ts.state}, not running: start it instead (start-termservice)`);
  const port = need(regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'PortNumber'));
  const listeners = need(fact(ctx.facts.tcpListeners, 'the TCP listeners'));
  const deny = need(regState(ctx.facts, REGISTRY_PATHS.terminalServer, 'fDenyTSConnections'));
  const policyDeny = need(regState(ctx.facts, REGISTRY_PATHS.tsPolicy, 'fDenyTSConnections'));
  const enabled = need(regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'fEnableWinStation'));
  const rdpPort = dwordOf(port) ?? 3389;
  if (listeners.some((l) => l.localPort === rdpPort && l.owningProcess === ts.processId)) {
    return notApplicable(`TermService already listens on port ${rdpPort}`);
  }
  if ((policyDeny.exists ? dwordOf(policyDeny) : dwordOf(deny)) !== 0) return notApplicable('RDP connections are switched off (fDenyTSConnections): use enable-rdp');
  if (dwordOf(enabled) === 0) return notApplicable('the RDP-Tcp listener is disabled (fEnableWinStation=0): use enable-rdp-listener');
  return makeFixPlan('restart-termservice', ctx, {
    ops: restartSteps(ctx.facts, 'TermService'),
    recheck: ['listener-state'],
    expectRdpTls: true,
  });
});
