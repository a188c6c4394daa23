// service.get, service.control, service.startType. Transitions are instant (timeoutSec is moot).
import type { ServiceInfo } from '../../../host/operations.ts';
import type { ModelService } from '../host-model.ts';
import { findService, startBlocker, startService, stopBlocker, stopService } from '../services.ts';
import { fail, ok, preconditionFailed, type OpContext, type OpOf, type OpOutcome } from './types.ts';

export function serviceInfo(s: ModelService | undefined, name: string): ServiceInfo {
  if (!s) return { name, exists: false, state: null, startType: null, delayedAutoStart: null, account: null, processId: null, serviceType: null, dependsOn: [] };
  return {
    name: s.name, exists: true, state: s.state, startType: s.startType, delayedAutoStart: s.delayedAutoStart,
    account: s.account, processId: s.processId, serviceType: s.serviceType, dependsOn: [...s.dependsOn],
  };
}

const notFound = (name: string): OpOutcome => fail('NotFound', `Cannot find any service with service name '${name}'.`);

export function serviceGet({ model }: OpContext, op: OpOf<'service.get'>): OpOutcome {
  return ok(serviceInfo(findService(model, op.name), op.name));
}

/**
 * start (its stopped dependencies first) or stop (its running dependents first, as
 * ServiceController.Stop() does: UmRdpService stops with TermService). A restart is plan steps built
 * in TypeScript (rdp/fixes/lib/plan.ts restartSteps).
 */
export function serviceControl({ model, now }: OpContext, op: OpOf<'service.control'>): OpOutcome {
  const s = findService(model, op.name);
  if (!s) return notFound(op.name);
  const previous = { state: s.state };
  if (op.expectState && op.expectState !== s.state) return preconditionFailed(`Service ${s.name} state`, previous);
  if (op.action === 'start') {
    const why = startBlocker(model, s);
    if (why) return fail('Failed', why);
    startService(model, s, now);
  } else {
    const whyStop = stopBlocker(model, s);
    if (whyStop) return fail('Failed', whyStop);
    stopService(model, s);
  }
  return ok({ state: s.state }, previous);
}

export function serviceStartType({ model }: OpContext, op: OpOf<'service.startType'>): OpOutcome {
  const s = findService(model, op.name);
  if (!s) return notFound(op.name);
  const previous = { startType: s.startType };
  if (op.expectStartType && op.expectStartType !== s.startType) return preconditionFailed(`Service ${s.name} start type`, previous);
  s.startType = op.startType;
  return ok({ startType: s.startType }, previous);
}
