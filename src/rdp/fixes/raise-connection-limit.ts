// raise-connection-limit (conn-limits): RDP-Tcp MaxInstanceCount to unlimited (0xFFFFFFFF) when the
// RDP sessions already fill the limit. A policy value wins over it: then it is the GPO owner's call.
import { REGISTRY_PATHS } from '../read-plan.ts';
import { dwordOf, fact, need, regState, UNLIMITED_DWORD } from './lib/facts.ts';
import { defineFix, makeFixPlan, notApplicable, regSet } from './lib/plan.ts';

export const raiseConnectionLimit = defineFix('raise-connection-limit', (ctx) => {
  const policy = need(regState(ctx.facts, REGISTRY_PATHS.tsPolicy, 'MaxInstanceCount'));
  if (policy.exists) return notApplicable(`the connection limit is set by Group Policy (MaxInstanceCount ${String(policy.data)}): ask the GPO owner`);
  const local = need(regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'MaxInstanceCount'));
  const limit = dwordOf(local);
  if (limit === undefined || limit >= UNLIMITED_DWORD) return notApplicable('RDP-Tcp has no connection limit (MaxInstanceCount is unlimited)');
  const sessions = need(fact(ctx.facts.sessions, 'the RDP session list'));
  const inUse = sessions.filter((s) => /^RDP-Tcp#/i.test(s.winStation)).length;
  if (inUse < limit) return notApplicable(`only ${inUse} of ${limit} allowed RDP connection(s) are in use`);
  return makeFixPlan('raise-connection-limit', ctx, {
    ops: [regSet('set-MaxInstanceCount', local, 'DWord', UNLIMITED_DWORD)],
    recheck: ['conn-limits'],
    expectRdpTls: false,
  });
});
