// conn-limits (§3.G): MaxInstanceCount (policy wins) reached by active/disconnected RDP sessions.
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { effectiveNumber, POLICY_EXPLANATION } from './lib/registry.ts';

const UNLIMITED = 0xffffffff;
const ACTIVE = 0;
const DISCONNECTED = 4;

export const connLimits = defineCheck('conn-limits', 'RDP connection limit not reached', 'high', (input, f) => {
  const got = need(input, {
    rdpTcp: ['the RDP-Tcp registry key', (h) => h.rdpTcp],
    policy: ['the Terminal Services policy key', (h) => h.tsPolicy],
    sessions: ['the session list', (h) => h.sessions],
  });
  if (!got.ok) return f.unknown(`Could not tell whether the RDP connection limit is reached: ${got.missing}.`, undefined, got.evidence);
  const max = effectiveNumber(got.v.policy, got.v.rdpTcp, 'MaxInstanceCount');
  // 0xFFFFFFFF (-1 as signed) is unlimited; the GPO writes 999999 for "unlimited".
  const limit = max.value === undefined || max.value === UNLIMITED || max.value < 0 || max.value >= 999999 ? null : max.value;
  const inUse = got.v.sessions.filter((s) => /^rdp-tcp#/i.test(s.winStation) && (s.state === ACTIVE || s.state === DISCONNECTED));
  const who = inUse.map((s) => `${s.user ?? 'unknown user'} (session ${s.id}, ${s.state === ACTIVE ? 'active' : 'disconnected'})`);
  const evidence = { MaxInstanceCount: max.value ?? null, source: max.source, limit, sessionsInUse: who };
  if (limit !== null && inUse.length >= limit) {
    const byPolicy = max.source === 'policy';
    return f.problem({
      summary: `${byPolicy ? 'Group Policy limits' : 'RDP-Tcp allows'} ${limit} RDP connection${limit === 1 ? '' : 's'} (MaxInstanceCount=${limit}) and ${who.join(', ')} already ${inUse.length === 1 ? 'holds it' : 'hold them'}, so new RDP connections are refused.`,
      explanation: byPolicy
        ? `The cap comes from the GPO "Limit number of connections". ${POLICY_EXPLANATION}`
        : 'The listener refuses connections beyond MaxInstanceCount. The fix lifts the cap (MaxInstanceCount unlimited); nobody is disconnected. Logging the other session off would also work but loses its unsaved work.',
      evidence,
      managedByPolicy: byPolicy,
      fix: byPolicy ? null : proposeFix('raise-connection-limit', got.facts),
    });
  }
  return f.ok(`The RDP connection limit is not reached (${limit === null ? 'no limit' : `limit ${limit}`}, ${inUse.length} RDP session${inUse.length === 1 ? '' : 's'} in use).`, 'New RDP connections are not refused for lack of a free connection.', evidence);
});
