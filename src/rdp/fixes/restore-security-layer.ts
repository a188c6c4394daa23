// restore-security-layer (sec-layer-nla): RDP-Tcp SecurityLayer 0 (RDP security, no server
// authentication, no NLA possible) back to 2 (TLS), or to 1 (Negotiate) when TLS cannot work yet
// (no usable certificate, or MinEncryptionLevel 1, which SSL refuses [S22]).
// Why reg.set rather than SetSecurityLayer: the CIM capture returns the effective SecurityLayer,
// so undo could not restore an absent value; reg.set returns the exact previous state.
import { REGISTRY_PATHS } from '../read-plan.ts';
import { certProblem, dwordOf, need, rdpCertificates, regState } from './lib/facts.ts';
import { defineFix, makeFixPlan, notApplicable, regSet } from './lib/plan.ts';

export const restoreSecurityLayer = defineFix('restore-security-layer', (ctx) => {
  const policy = need(regState(ctx.facts, REGISTRY_PATHS.tsPolicy, 'SecurityLayer'));
  if (policy.exists) return notApplicable(`SecurityLayer is set by Group Policy (${String(policy.data)}); a local change would not take effect: ask the GPO owner`);
  const local = need(regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'SecurityLayer'));
  const current = local.exists ? dwordOf(local) : 1; // absent = Negotiate [S28]
  if (current !== 0) return notApplicable(`SecurityLayer is already ${current ?? String(local.data)} (${current === 2 ? 'TLS' : 'Negotiate'})`);
  const certs = need(rdpCertificates(ctx.facts));
  const minEnc = need(regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'MinEncryptionLevel'));
  const policyMinEnc = need(regState(ctx.facts, REGISTRY_PATHS.tsPolicy, 'MinEncryptionLevel'));
  const effMinEnc = policyMinEnc.exists ? dwordOf(policyMinEnc) : dwordOf(minEnc);
  const tlsReady = certs.some((c) => certProblem(c, ctx.now) === null) && effMinEnc !== 1;
  return makeFixPlan('restore-security-layer', ctx, {
    ops: [regSet('set-SecurityLayer', local, 'DWord', tlsReady ? 2 : 1)],
    recheck: ['sec-layer-nla'],
    expectRdpTls: true,
  });
});
