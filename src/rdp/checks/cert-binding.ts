// cert-binding (§3.E): a custom or GPO-template certificate bound through SSLCertificateSHA1Hash must
// exist, be valid, have a readable key and a server-auth EKU. Self-signed only: nothing to check here.
import { defineCheck } from './lib/check.ts';
import { ymd } from './lib/dates.ts';
import { need } from './lib/facts.ts';
import { inUseCertificate, isServerAuthCapable, keyDenied, keyEvidence } from './lib/host.ts';
import { regData } from './lib/registry.ts';

export const certBinding = defineCheck('cert-binding', 'Custom RDP certificate binding valid', 'critical', (input, f) => {
  const got = need(input, {
    general: ['Win32_TSGeneralSetting (certificate in use)', (h) => h.tsGeneral],
    rdpTcp: ['the RDP-Tcp registry key', (h) => h.rdpTcp],
    policy: ['the Terminal Services policy key', (h) => h.tsPolicy],
    my: ['the LocalMachine\\My certificate store', (h) => h.certsMy],
    store: ['the "Remote Desktop" certificate store', (h) => h.certsRemoteDesktop],
  });
  if (!got.ok) return f.unknown(`Could not check the RDP certificate binding: ${got.missing}.`, undefined, got.evidence);
  const inUse = inUseCertificate(got.facts);
  const template = regData(got.v.policy, 'CertTemplateName');
  const bound = inUse?.boundThumbprint ?? null;
  const evidence: Record<string, unknown> = { boundThumbprint: bound, inUseThumbprint: inUse?.thumbprint ?? null, hashType: inUse?.hashType ?? null, certTemplateName: template ?? null };
  if (!bound && (inUse?.hashType ?? 1) === 1 && template === undefined) {
    return f.ok('RDP uses the self-signed certificate; no custom certificate is bound.', 'With no SSLCertificateSHA1Hash binding, the self-signed certificate finding covers the certificate.', evidence);
  }
  const policy = template !== undefined;
  const target = bound ?? inUse?.thumbprint ?? null;
  const cert = [...got.v.my, ...got.v.store].find((c) => c.thumbprint.toUpperCase() === target);
  if (!cert) {
    return f.warning({
      summary: `The RDP-Tcp binding points at certificate ${target ?? '(empty)'}, which is not installed, so Windows falls back to the self-signed certificate (RCM 1051) and clients see an unexpected certificate.`,
      explanation: policy
        ? `Group Policy enrols the RDP certificate from template "${String(template)}"; renew or fix enrolment there (escalate to the PKI/GPO owner).`
        : 'A stale SSLCertificateSHA1Hash value remains. Rebind it to a valid certificate in LocalMachine\\My, or remove the value so the self-signed certificate is used on purpose (not on a Connection Broker); escalate.',
      evidence,
      managedByPolicy: policy,
    });
  }
  evidence['certificate'] = { subject: cert.subject, issuer: cert.issuer, notAfter: ymd(cert.notAfter), ekus: cert.enhancedKeyUsages, ...keyEvidence(cert) };
  const issues: string[] = [];
  if (Date.parse(cert.notAfter) <= input.now.getTime()) issues.push(`it expired on ${ymd(cert.notAfter)}`);
  if (!cert.hasPrivateKey) issues.push('it has no private key');
  else if (keyDenied(cert)) issues.push(keyDenied(cert) ?? '');
  if (!isServerAuthCapable(cert)) issues.push('it lacks the Server Authentication / Remote Desktop Authentication usage');
  if (issues.length) {
    return f.problem({
      summary: `The RDP certificate bound to RDP-Tcp (${cert.subject}) is unusable: ${issues.join(', ')}, so clients drop the TLS handshake (0x904 / 0x7).`,
      explanation: policy
        ? `The certificate comes from the Group Policy template "${String(template)}": renew it through enrolment and fix the GPO/PKI side (escalate). A local change would be overwritten.`
        : 'This is a custom (CA-issued) certificate, so rdp-medic will not regenerate it: renew it and rebind (Win32_TSGeneralSetting.SSLCertificateSHA1Hash), or grant NETWORK SERVICE read on its key. Falling back to self-signed removes CA-backed trust; escalate to the certificate owner.',
      evidence,
      managedByPolicy: policy,
    });
  }
  return f.ok(`The bound RDP certificate (${cert.subject}) is valid until ${ymd(cert.notAfter)} with a usable key.`, 'The custom certificate binding is healthy.', evidence);
});
