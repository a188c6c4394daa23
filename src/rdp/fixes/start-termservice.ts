// start-termservice (svc-termservice): TermService stopped (or disabled): start type back to Manual
// (the documented default) when Disabled, start it, then UmRdpService, which must run with it.
import type { Operation } from '../../host/operations.ts';
import { need, service } from './lib/facts.ts';
import { makeFixPlan, notApplicable, serviceControl, serviceStartType, defineFix } from './lib/plan.ts';

export const startTermService = defineFix('start-termservice', (ctx) => {
  const ts = need(service(ctx.facts, 'TermService'));
  const um = need(service(ctx.facts, 'UmRdpService'));
  if (ts.state === 'Running') return notApplicable('TermService is already running');
  if (ts.state !== 'Stopped') return notApplicable(`TermService is ${ts.state}: it hangs in a pending state; this fix only starts a stopped service (escalate or reboot)`);
  const ops: Operation[] = [];
  if (ts.startType === 'Disabled') ops.push(serviceStartType('startType-TermService', 'TermService', 'Manual', 'Disabled'));
  ops.push(serviceControl('start-TermService', 'TermService', 'start', 'Stopped'));
  if (um.state === 'Stopped') {
    if (um.startType === 'Disabled') ops.push(serviceStartType('startType-UmRdpService', 'UmRdpService', 'Manual', 'Disabled'));
    ops.push(serviceControl('start-UmRdpService', 'UmRdpService', 'start', 'Stopped'));
  }
  return makeFixPlan('start-termservice', ctx, { ops, recheck: ['svc-termservice'], expectRdpTls: true });
});
