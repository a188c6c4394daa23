// start-rdp-dependency (svc-rdp-dependencies): the support services RDP needs to run or to create
// its certificate [S5]. Disabled ones get their start type back (CryptSvc Automatic, its Windows
// default; the others Manual, they start on demand) and are started; a stopped one is started when
// it should run (Automatic, or UmRdpService while TermService runs). Start types first, then the
// starts in dependency order, so SessionEnv never starts while CryptSvc/KeyIso are still disabled.
// UmRdpService is left alone while TermService is stopped: starting it would start TermService
// too, which is start-termservice's decision.
import type { Operation, StartType } from '../../host/operations.ts';
import { need, service } from './lib/facts.ts';
import { defineFix, makeFixPlan, notApplicable, serviceControl, serviceStartType } from './lib/plan.ts';

const SUPPORT = ['CryptSvc', 'KeyIso', 'CertPropSvc', 'SessionEnv', 'UmRdpService'] as const;
const RESTORED_START: Record<(typeof SUPPORT)[number], StartType> = {
  CryptSvc: 'Automatic', KeyIso: 'Manual', CertPropSvc: 'Manual', SessionEnv: 'Manual', UmRdpService: 'Manual',
};

export const startRdpDependency = defineFix('start-rdp-dependency', (ctx) => {
  const tsRunning = need(service(ctx.facts, 'TermService')).state === 'Running';
  const startTypes: Operation[] = [];
  const starts: Operation[] = [];
  for (const name of SUPPORT) {
    const s = need(service(ctx.facts, name));
    if (name === 'UmRdpService' && !tsRunning) continue;
    const disabled = s.startType === 'Disabled';
    if (disabled) startTypes.push(serviceStartType(`startType-${name}`, name, RESTORED_START[name], 'Disabled'));
    const shouldRun = disabled || s.startType === 'Automatic' || name === 'UmRdpService';
    if (s.state === 'Stopped' && shouldRun) starts.push(serviceControl(`start-${name}`, name, 'start', 'Stopped'));
  }
  if (!startTypes.length && !starts.length) return notApplicable('none of the RDP support services (SessionEnv, CryptSvc, KeyIso, CertPropSvc, UmRdpService) is disabled or stopped when it should run');
  return makeFixPlan('start-rdp-dependency', ctx, { ops: [...startTypes, ...starts], recheck: ['svc-rdp-dependencies'], expectRdpTls: false });
});
