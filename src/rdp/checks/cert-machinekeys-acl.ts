// cert-machinekeys-acl (§3.E): can NETWORK SERVICE (TermService) read the RDP private key? The
// documented cause behind Schannel 36870 / RCM 1057 / 1058. Judged by the key file's own ACL
// (MachineKeys or Crypto\Keys, by container name, as the host reports it with the certificate):
// S-1-5-20 needs an Allow entry with ReadData and no Deny entry with it; Administrators' entries do
// not matter (TermService is not an administrator). Plus the MachineKeys folder ACL, which Windows
// needs to create a new key.
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { minutesAgo } from './lib/dates.ts';
import { maybe, need } from './lib/facts.ts';
import { inUseCertificate, keyAccess, keyEvidence, SID_ADMINS } from './lib/host.ts';

const FULL_CONTROL = 2032127;
const READ = 131209;
const WRITE = 278;
const EVERYONE = 'S-1-1-0';
const has = (rights: number, mask: number): boolean => (rights & mask) === mask;

export const certMachinekeysAcl = defineCheck('cert-machinekeys-acl', 'RDP private key readable (MachineKeys ACL)', 'critical', (input, f) => {
  const got = need(input, {
    store: ['the "Remote Desktop" certificate store', (h) => h.certsRemoteDesktop],
    general: ['Win32_TSGeneralSetting (certificate in use)', (h) => h.tsGeneral],
    rcm: ['the System log (RCM 1057/1058)', (h) => h.events.rcmSystem],
    schannel: ['the System log (Schannel)', (h) => h.events.schannel],
  });
  if (!got.ok) return f.unknown(`Could not tell whether TermService can read the RDP private key: ${got.missing}.`, undefined, got.evidence);
  const inUse = inUseCertificate(got.facts);
  const cert = inUse?.cert ?? got.v.store[0];
  const recent = (e: { timeCreated: string }): boolean => minutesAgo(input.now, e.timeCreated) <= 24 * 60;
  const keyEvents = [
    ...got.v.rcm.filter((e) => (e.id === 1057 || e.id === 1058) && recent(e)).map((e) => `RCM ${e.id}`),
    ...got.v.schannel.filter((e) => e.id === 36870 && recent(e)).map(() => 'Schannel 36870'),
  ];
  const folder = maybe(got.facts.machineKeysAcl);
  const evidence: Record<string, unknown> = {
    certificate: cert ? { thumbprint: cert.thumbprint, ...keyEvidence(cert) } : null,
    keyEvents,
    folderAcl: folder ? (folder.exists ? { owner: folder.ownerSid, access: folder.access } : 'folder not found') : 'not readable',
  };
  const selfSigned = !inUse?.boundThumbprint && (inUse?.hashType ?? 1) === 1;
  const counted = [...new Set(keyEvents)].map((e) => `${e} ×${keyEvents.filter((x) => x === e).length}`).join(', ');
  const access = cert ? keyAccess(cert) : undefined;
  if (access?.state === 'denied') {
    return f.problem({
      summary: `${access.reason[0]?.toUpperCase()}${access.reason.slice(1)}${counted ? ` (${counted})` : ''}, so TermService cannot complete TLS and clients see 0x904 / 0x7.`,
      explanation: selfSigned
        ? `The key file ${access.file} lost its NETWORK SERVICE read permission (Administrators' access does not help: TermService runs as NETWORK SERVICE). A new self-signed certificate gets a key file with the healthy ACL: the fix moves the certificate to a backup store and restarts Remote Desktop Configuration (SessionEnv). Open sessions stay connected. (The targeted alternative is \`icacls <keyfile> /grant *S-1-5-20:(R)\`.)`
        : `The bound (custom) certificate's key file ${access.file} is not readable by NETWORK SERVICE. Grant it read (\`icacls <keyfile> /grant *S-1-5-20:(R)\`); regenerating the self-signed certificate would not help. Escalate to the certificate owner.`,
      evidence,
      fix: selfSigned ? proposeFix('regenerate-rdp-certificate', got.facts) : null,
    });
  }
  if (access?.state === 'unknown') {
    return f.unknown(`Could not tell whether NETWORK SERVICE (which TermService runs as) can read the RDP certificate's private key: ${access.reason}.`, undefined, evidence);
  }
  if (folder && folder.exists) {
    const allow = (sid: string): number => folder.access.filter((a) => a.sid === sid && a.type === 'Allow').reduce((m, a) => m | a.rights, 0);
    const issues: string[] = [];
    if (!has(allow(SID_ADMINS), FULL_CONTROL)) issues.push('Administrators lost Full control');
    if (!has(allow(EVERYONE), READ) || !has(allow(EVERYONE), WRITE)) issues.push('Everyone lost Read/Write');
    if (folder.access.some((a) => a.type === 'Deny')) issues.push('an explicit Deny entry is present');
    if (issues.length) {
      return f.problem({
        summary: `The MachineKeys folder ACL is broken (${issues.join('; ')}), so Windows cannot create or read the RDP private key.`,
        explanation: 'The folder must give Administrators Full control and Everyone Read/Write (per-file semantics). Repairing it is an ACL change rdp-medic has no operation for: restore it with icacls using SIDs (see rdp-checks.md cert-machinekeys-acl, targeted fix); escalate.',
        evidence,
      });
    }
  }
  if (keyEvents.length) {
    return f.warning({
      summary: `Windows logged private-key errors in the last 24 hours (${counted}), although NETWORK SERVICE can read the current RDP key file: the key ACL may have been broken and repaired, or renewal fails.`,
      explanation: 'RCM 1057/1058 and Schannel 36870 mean TermService could not read or create the RDP key at that time. If clients still fail, check the MachineKeys ACL.',
      evidence,
    });
  }
  if (access?.state === 'readable') {
    return folder && folder.exists
      ? f.ok(`NETWORK SERVICE can read the RDP private key file ${access.file} and the MachineKeys folder ACL is healthy.`, 'TermService can read the RDP key.', evidence)
      : f.ok(`NETWORK SERVICE can read the RDP private key file ${access.file}.`, 'TermService can read the RDP key (the MachineKeys folder ACL itself could not be read).', evidence);
  }
  if (cert && access?.state === 'no-key' && folder && folder.exists) {
    return f.ok('The MachineKeys folder ACL is healthy; the RDP certificate has no private key (see the certificate finding).', 'Nothing here stops Windows from making a new key.', evidence);
  }
  return f.unknown('Could not tell whether NETWORK SERVICE can read the RDP private key: there is no RDP certificate with a key to judge and the MachineKeys ACL could not be read.', undefined, evidence);
});
