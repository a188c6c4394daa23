// sec-layer-nla (§3.F): SecurityLayer / UserAuthentication / MinEncryptionLevel / negotiation, from the
// REGISTRY (RDP-Tcp + policy key; the CIM SecurityLayer numbering differs between documents).
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { effectiveNumber, POLICY_EXPLANATION, regNumber } from './lib/registry.ts';

const LAYER = ['the legacy RDP security layer', 'Negotiate', 'TLS'];

export const secLayerNla = defineCheck('sec-layer-nla', 'Security layer and NLA consistent', 'high', (input, f) => {
  const got = need(input, {
    rdpTcp: ['the RDP-Tcp registry key', (h) => h.rdpTcp],
    policy: ['the Terminal Services policy key', (h) => h.tsPolicy],
  });
  if (!got.ok) return f.unknown(`Could not check the RDP security layer and NLA settings: ${got.missing}.`, undefined, got.evidence);
  const sl = effectiveNumber(got.v.policy, got.v.rdpTcp, 'SecurityLayer', 1);
  const ua = effectiveNumber(got.v.policy, got.v.rdpTcp, 'UserAuthentication', 0);
  const enc = effectiveNumber(got.v.policy, got.v.rdpTcp, 'MinEncryptionLevel', 2);
  const negotiation = regNumber(got.v.rdpTcp, 'fAllowSecProtocolNegotiation');
  const probe = input.probes.rdp.negotiation;
  const evidence = {
    SecurityLayer: { value: sl.value, source: sl.source, local: sl.local ?? null, policy: sl.policy ?? null },
    UserAuthentication: { value: ua.value, source: ua.source, local: ua.local ?? null, policy: ua.policy ?? null },
    MinEncryptionLevel: { value: enc.value, source: enc.source },
    fAllowSecProtocolNegotiation: negotiation ?? null,
    probe: probe ? { selected: probe.selected, failure: probe.failure } : null,
  };
  const gpo = (...e: (typeof sl)[]): boolean => e.some((x) => x.source === 'policy');
  if (sl.value === 0) {
    const byPolicy = gpo(sl);
    const withNla = ua.value !== 0;
    return f.problem({
      summary: withNla
        ? `${byPolicy ? 'Group Policy sets' : 'RDP-Tcp is set to'} the legacy RDP security layer (SecurityLayer 0) while NLA is required (UserAuthentication 1): NLA needs TLS, so TLS/NLA clients are refused (SSL_NOT_ALLOWED_BY_SERVER).`
        : `${byPolicy ? 'Group Policy sets' : 'RDP-Tcp is set to'} the legacy RDP security layer (SecurityLayer 0): no TLS, the server is not authenticated, and clients that require TLS or NLA are refused.`,
      explanation: byPolicy
        ? `The security layer is forced by Group Policy ("Require use of specific security layer for remote connections"). ${POLICY_EXPLANATION}`
        : 'SecurityLayer 0 is a break-glass diagnostic setting; left in place it refuses modern clients and weakens security. The fix sets SecurityLayer back to 2 (TLS) so clients can negotiate TLS and NLA again; new connections only, nobody is disconnected, and it strengthens security.',
      evidence,
      managedByPolicy: byPolicy,
      fix: byPolicy ? null : proposeFix('restore-security-layer', got.facts),
    });
  }
  if (sl.value === 2 && enc.value === 1) {
    return f.problem({
      summary: `SecurityLayer 2 (TLS) is combined with MinEncryptionLevel 1 (Low), an invalid pair, so the server cannot set up the security layer clients expect${gpo(sl, enc) ? ' (set by Group Policy)' : ''}.`,
      explanation: gpo(sl, enc)
        ? `SSL/TLS is not compatible with encryption level Low. ${POLICY_EXPLANATION}`
        : 'SSL/TLS is not compatible with encryption level Low. Raise the level to 2 (Client Compatible) with Win32_TSGeneralSetting.SetEncryptionLevel; rdp-medic has no automatic fix for it. Escalate.',
      evidence,
      managedByPolicy: gpo(sl, enc),
    });
  }
  if (negotiation === 0) {
    return f.problem({
      summary: 'Security-protocol negotiation is switched off on RDP-Tcp (fAllowSecProtocolNegotiation=0), so clients cannot negotiate TLS/NLA with the server.',
      explanation: 'Microsoft\'s runbook requires fAllowSecProtocolNegotiation=1. Set it back to 1 under RDP-Tcp (`Set-ItemProperty ... fAllowSecProtocolNegotiation 1`); rdp-medic has no automatic fix for it. Escalate.',
      evidence,
    });
  }
  if (ua.value === 0) {
    return f.warning({
      summary: `NLA is not required (UserAuthentication 0${ua.source === 'policy' ? ', set by Group Policy' : ''}): RDP works, but unauthenticated clients reach the Windows logon screen.`,
      explanation: 'Network Level Authentication should be on (the secure baseline). If it was turned off as a break-glass step, turn it back on once the real cause is fixed.',
      evidence,
      managedByPolicy: ua.source === 'policy',
    });
  }
  return f.ok(
    `RDP-Tcp uses ${LAYER[sl.value ?? 1] ?? `SecurityLayer ${sl.value}`} (SecurityLayer ${sl.value}) with NLA required and encryption level ${enc.value}${gpo(sl, ua, enc) ? ' (partly set by Group Policy)' : ''}.`,
    'The security layer, NLA and encryption level are consistent: modern clients can negotiate TLS with NLA.',
    evidence,
  );
});
