// What each fix opens up (the catalogue's exposes), from real lab facts: the firewall rules' own
// scope, the account add-rdp-user names, RDP itself; the risk classes that follow from it; and the
// sentence the cards put where "It does not weaken security." used to stand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildHost } from '../../src/lab/scenarios/index.ts';
import { executePlan } from '../../src/lab/model/index.ts';
import { buildReadPlan, readPlanFacts, type HostFacts } from '../../src/rdp/read-plan.ts';
import { buildFix, FIX_IDS, isNotApplicable, type KnownFixId } from '../../src/rdp/fixes/index.ts';
import { FIX_INFO } from '../../src/rdp/fixes/catalogue.ts';
import { diagnose } from '../../src/rdp/diagnose.ts';
import { proposeFixAction } from '../../src/cards/fix-button.ts';
import type { CheckTarget, FixPlan } from '../../src/rdp/types.ts';

const NOW = new Date('2026-12-06T03:00:00Z');
const TARGET: CheckTarget = { id: 'work-pc', address: '10.0.0.5', rdpHost: '10.0.0.5', rdpPort: 3389, winrmUrl: 'http://10.0.0.5:5985/wsman', rdpUsers: ['WORK-PC\\rdpuser'] };

function factsOf(scenarios: string[]): HostFacts {
  const model = buildHost(scenarios, { computerName: 'work-pc', password: 'pw', now: NOW });
  return readPlanFacts(executePlan(model, buildReadPlan(), NOW));
}

function planOf(id: KnownFixId, facts: HostFacts): FixPlan {
  const r = buildFix(id, { facts, target: TARGET, now: NOW });
  if (isNotApplicable(r)) throw new Error(`${id}: ${r.notApplicable}`);
  return r;
}

/** The firewall facts with the RDP rules' remote addresses replaced. */
function scoped(facts: HostFacts, remote: Record<string, string[]>): HostFacts {
  const rules = facts.firewallRules;
  assert.ok(!('error' in rules));
  return { ...facts, firewallRules: rules.map((r) => (remote[r.name] ? { ...r, remoteAddresses: remote[r.name]! } : r)) };
}

describe('what each fix opens up', () => {
  it('enable-rdp-firewall-rules: the rules\' own scope, any address by default', () => {
    const facts = factsOf(['firewall-blocked']);
    const plan = planOf('enable-rdp-firewall-rules', facts);
    assert.equal(plan.risk, 'weakens-security');
    assert.equal(plan.impact.weakensSecurity, true);
    assert.equal(plan.impact.exposes, 'opens TCP and UDP 3389 to any address');
  });

  it('scoped rules are named as scoped, per protocol', () => {
    const facts = scoped(factsOf(['firewall-blocked']), { 'RemoteDesktop-UserMode-In-TCP': ['10.0.0.0/8'], 'RemoteDesktop-UserMode-In-UDP': ['10.0.0.0/8'] });
    assert.equal(planOf('enable-rdp-firewall-rules', facts).impact.exposes, 'opens TCP and UDP 3389 to 10.0.0.0/8');
    const mixed = scoped(factsOf(['firewall-blocked']), { 'RemoteDesktop-UserMode-In-TCP': ['LocalSubnet', '192.168.1.0/24'] });
    assert.equal(planOf('enable-rdp-firewall-rules', mixed).impact.exposes, 'opens TCP 3389 to the local subnet and 192.168.1.0/24 and UDP 3389 to any address');
  });

  it('hostile rule data from the host is capped', () => {
    const many = Array.from({ length: 500 }, (_, i) => `10.${i}.0.0/16${'x'.repeat(200)}`);
    const facts = scoped(factsOf(['firewall-blocked']), { 'RemoteDesktop-UserMode-In-TCP': many });
    const exposes = planOf('enable-rdp-firewall-rules', facts).impact.exposes ?? '';
    assert.match(exposes, /and 497 more/);
    assert.ok(exposes.length < 400, `${exposes.length} characters`);
  });

  it('rules that could not be read: says so, and still warns of any address', () => {
    const facts = { ...factsOf(['firewall-blocked']), firewallRules: { error: { code: 'AccessDenied', message: 'denied' } } } as HostFacts;
    assert.match(FIX_INFO['enable-rdp-firewall-rules'].exposes(facts) ?? '', /^opens the RDP port .*any address unless they are scoped; the rules could not be read/);
  });

  it('enable-rdp accepts RDP again, and names the firewall rules it enables along the way', () => {
    assert.equal(planOf('enable-rdp', factsOf(['rdp-disabled'])).impact.exposes, 'accepts RDP connections again');
    const both = planOf('enable-rdp', factsOf(['rdp-disabled', 'firewall-blocked']));
    assert.equal(both.risk, 'weakens-security');
    assert.equal(both.impact.exposes, 'accepts RDP connections again and opens TCP and UDP 3389 to any address');
  });

  it('add-rdp-user names the account, in the plan and in the proposal the finding carries', async () => {
    const facts = factsOf(['user-not-allowed']);
    const plan = planOf('add-rdp-user', facts);
    assert.equal(plan.risk, 'weakens-security');
    assert.equal(plan.impact.exposes, 'grants WORK-PC\\rdpuser RDP logon (Remote Desktop Users)');
    const model = buildHost(['user-not-allowed'], { computerName: 'work-pc', password: 'pw', now: NOW });
    const d = await diagnose(TARGET, {
      runPlan: (p) => Promise.resolve(executePlan(model, p, NOW)),
      now: () => NOW,
      probe: {
        tcp: (o) => Promise.resolve({ port: o.port, state: 'open', ms: 1, error: null }),
        sample: () => Promise.resolve({ samples: [], ok: 3, lost: 0, lossPct: 0, minMs: 1, avgMs: 1, maxMs: 1, jitterMs: 0 }),
        rdp: () => Promise.resolve({ target: { host: '10.0.0.5', port: 3389 }, ok: true, stage: 'done', error: null, tcp: { ok: true, ms: 1, error: null }, negotiation: null, tls: null, certificate: null, timingsMs: { tcpConnect: 1, x224: 1, tlsHandshake: 1, total: 3 } }),
      },
    } as Parameters<typeof diagnose>[1]);
    const fix = d.findings.find((f) => f.check === 'authz-rdp-users')?.fix;
    assert.equal(fix?.exposes, 'grants WORK-PC\\rdpuser RDP logon (Remote Desktop Users)');
    const button = proposeFixAction('work-pc', fix!);
    assert.equal(button.style, 'danger');
    assert.match(button.confirm?.text ?? '', /^Weakens security on work-pc\. It grants WORK-PC\\rdpuser RDP logon \(Remote Desktop Users\) until someone undoes it\. /);
  });

  it('the classes: what widens access weakens security, and each of those says what it opens', () => {
    const facts = factsOf(['firewall-blocked']);
    const weakening = FIX_IDS.filter((id) => FIX_INFO[id].risk === 'weakens-security');
    assert.deepEqual(weakening.sort(), ['add-rdp-user', 'disable-nla-temporarily', 'enable-rdp', 'enable-rdp-firewall-rules']);
    for (const id of weakening) assert.ok(FIX_INFO[id].exposes(facts), `${id} names what it opens up`);
    for (const id of FIX_IDS.filter((x) => !weakening.includes(x))) assert.equal(FIX_INFO[id].exposes(facts), null, `${id} opens nothing`);
  });

  it('the card sentence: the exposure, never "does not weaken security"', () => {
    const facts = factsOf(['firewall-blocked']);
    const fix = { id: 'enable-rdp-firewall-rules', title: 'Enable the Remote Desktop firewall rules', risk: FIX_INFO['enable-rdp-firewall-rules'].risk, impact: 'Enables the rules.', exposes: FIX_INFO['enable-rdp-firewall-rules'].exposes(facts)! };
    const text = proposeFixAction('work-pc', fix).confirm?.text ?? '';
    assert.match(text, /It opens TCP and UDP 3389 to any address until someone undoes it\./);
    assert.doesNotMatch(text, /does not weaken security/);
  });
});
