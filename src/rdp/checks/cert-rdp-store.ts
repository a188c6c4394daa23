// cert-rdp-store (§3.E): the self-signed certificate in Cert:\LocalMachine\Remote Desktop must exist,
// be valid, and have a private key that opens. Custom / template certificates are cert-binding's.
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { daysFrom, ymd } from './lib/dates.ts';
import { need } from './lib/facts.ts';
import { cimFirst, keyDenied, keyEvidence } from './lib/host.ts';
import { regData } from './lib/registry.ts';

export const certRdpStore = defineCheck('cert-rdp-store', 'RDP self-signed certificate usable', 'critical', (input, f) => {
  const got = need(input, {
    store: ['the "Remote Desktop" certificate store', (h) => h.certsRemoteDesktop],
    general: ['Win32_TSGeneralSetting (certificate in use)', (h) => h.tsGeneral],
    rdpTcp: ['the RDP-Tcp registry key', (h) => h.rdpTcp],
  });
  if (!got.ok) return f.unknown(`Could not check the RDP certificate: ${got.missing}.`, undefined, got.evidence);
  const g = cimFirst(got.v.general) ?? {};
  const inUse = typeof g['SSLCertificateSHA1Hash'] === 'string' ? g['SSLCertificateSHA1Hash'].toUpperCase() : null;
  const hashType = typeof g['SSLCertificateSHA1HashType'] === 'number' ? g['SSLCertificateSHA1HashType'] : null;
  const custom = regData(got.v.rdpTcp, 'SSLCertificateSHA1Hash') !== undefined || hashType === 2 || hashType === 3;
  const store = got.v.store;
  const evidence: Record<string, unknown> = {
    inUseThumbprint: inUse,
    hashType,
    storeCerts: store.map((c) => ({ thumbprint: c.thumbprint, subject: c.subject, notAfter: c.notAfter, ...keyEvidence(c) })),
  };
  if (custom) {
    return f.ok(`RDP uses a custom or Group Policy certificate (SSLCertificateSHA1HashType ${hashType ?? '?'}), not the self-signed one; see the certificate binding finding.`, 'The self-signed store only matters when no other certificate is bound.', evidence);
  }
  const cert = store.find((c) => c.thumbprint.toUpperCase() === inUse) ?? [...store].sort((a, b) => Date.parse(b.notBefore) - Date.parse(a.notBefore))[0];
  const regenerate = proposeFix('regenerate-rdp-certificate', got.facts);
  if (!cert || hashType === 0) {
    return f.problem({
      summary: 'RDP has no usable certificate (the "Remote Desktop" store is empty or none is selected), so the server cannot offer TLS and clients are dropped (0x904 / 0x7).',
      explanation: 'RDP TLS needs a server certificate with a usable private key. The fix restarts Remote Desktop Configuration (SessionEnv), which makes Windows create a new self-signed certificate; open sessions stay connected.',
      evidence,
      fix: regenerate,
    });
  }
  evidence['certificate'] = { thumbprint: cert.thumbprint, subject: cert.subject, notBefore: ymd(cert.notBefore), notAfter: ymd(cert.notAfter) };
  const now = input.now.getTime();
  if (Date.parse(cert.notAfter) <= now) {
    return f.problem({
      summary: `The RDP certificate expired on ${ymd(cert.notAfter)}, so clients drop the TLS handshake (0x904 / 0x7).`,
      explanation: `The self-signed certificate ${cert.subject} in the "Remote Desktop" store (thumbprint ${cert.thumbprint}) is past its end date and Windows did not replace it. The fix moves it to a backup store (undoable) and restarts Remote Desktop Configuration (SessionEnv), which creates a new one. Open sessions stay connected; clients see a new-certificate prompt once.`,
      proof: `expired ${daysFrom(input.now, cert.notAfter)}, on ${ymd(cert.notAfter)} (${cert.subject}, thumbprint ${cert.thumbprint.slice(0, 8)}…)`,
      evidence,
      fix: regenerate,
    });
  }
  if (Date.parse(cert.notBefore) > now) {
    return f.problem({
      summary: `The RDP certificate is not valid before ${ymd(cert.notBefore)}, so clients reject it: the host clock is probably wrong.`,
      proof: `valid from ${ymd(cert.notBefore)}, ${daysFrom(input.now, cert.notBefore)}`,
      explanation: 'A self-signed certificate from the future means the host clock jumped when it was made (or is wrong now). Fix the clock (`w32tm /resync`) first; then regenerate the certificate if needed. Escalate.',
      evidence,
    });
  }
  if (!cert.hasPrivateKey) {
    return f.problem({
      summary: 'The RDP certificate has no private key, so the server cannot complete TLS and clients are dropped (0x904 / 0x7).',
      explanation: 'Without its private key the certificate is useless for TLS. The fix moves it away and lets Windows create a new self-signed certificate (SessionEnv restart); open sessions stay connected.',
      evidence,
      fix: regenerate,
    });
  }
  const denied = keyDenied(cert);
  if (denied) {
    return f.problem({
      summary: `The RDP certificate's private key cannot be used: ${denied}, so TLS fails and clients see 0x904 / 0x7 (see the MachineKeys finding).`,
      explanation: 'TermService (NETWORK SERVICE) must read the key in MachineKeys. A new certificate gets a new key file with the healthy ACL: the fix moves the certificate to a backup store and restarts SessionEnv. Open sessions stay connected.',
      evidence,
      fix: regenerate,
    });
  }
  return f.ok(`The RDP certificate (${cert.subject}) is valid until ${ymd(cert.notAfter)} and has a private key.`, 'TermService has a usable self-signed certificate for TLS.', evidence);
});
