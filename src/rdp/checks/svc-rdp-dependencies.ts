// svc-rdp-dependencies (§3.B): UmRdpService must run with TermService; SessionEnv, CryptSvc, KeyIso and
// CertPropSvc must be able to start, or Windows cannot create or renew the RDP certificate.
import { isFactError, type RdpServiceName } from '../read-plan.ts';
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';

const DEPS: Exclude<RdpServiceName, 'TermService'>[] = ['UmRdpService', 'SessionEnv', 'CryptSvc', 'KeyIso', 'CertPropSvc'];
const DISPLAY: Record<string, string> = {
  UmRdpService: 'Remote Desktop Services UserMode Port Redirector (UmRdpService)',
  SessionEnv: 'Remote Desktop Configuration (SessionEnv)',
  CryptSvc: 'Cryptographic Services (CryptSvc)',
  KeyIso: 'CNG Key Isolation (KeyIso)',
  CertPropSvc: 'Certificate Propagation (CertPropSvc)',
};

export const svcRdpDependencies = defineCheck('svc-rdp-dependencies', 'RDP support services can run', 'high', (input, f) => {
  const got = need(input, {
    UmRdpService: ['the UmRdpService state', (h) => h.services.UmRdpService],
    SessionEnv: ['the SessionEnv state', (h) => h.services.SessionEnv],
    CryptSvc: ['the CryptSvc state', (h) => h.services.CryptSvc],
    KeyIso: ['the KeyIso state', (h) => h.services.KeyIso],
    CertPropSvc: ['the CertPropSvc state', (h) => h.services.CertPropSvc],
  });
  if (!got.ok) return f.unknown(`Could not tell whether the RDP support services can run: ${got.missing}.`, undefined, got.evidence);
  const ts = got.facts.services.TermService;
  const termRunning = !isFactError(ts) && ts.state === 'Running';
  const evidence = Object.fromEntries(DEPS.map((n) => [n, { exists: got.v[n].exists, state: got.v[n].state, startType: got.v[n].startType }]));
  const disabled = DEPS.filter((n) => got.v[n].exists && got.v[n].startType === 'Disabled');
  const umStopped = termRunning && got.v.UmRdpService.exists && got.v.UmRdpService.state !== 'Running';
  // CryptSvc is normally Automatic: stopped while Automatic means it failed.
  const cryptDown = got.v.CryptSvc.exists && got.v.CryptSvc.state !== 'Running' && got.v.CryptSvc.startType === 'Automatic';
  const broken = [...disabled, ...(umStopped && !disabled.includes('UmRdpService') ? ['UmRdpService' as const] : []), ...(cryptDown && !disabled.includes('CryptSvc') ? ['CryptSvc' as const] : [])];
  if (broken.length) {
    const first = broken[0] ?? 'SessionEnv';
    const s = got.v[first];
    const what = `${DISPLAY[first]} is ${s.startType === 'Disabled' ? 'disabled' : 'not running'}${s.state === 'Stopped' && s.startType === 'Disabled' ? ' and stopped' : ''}`;
    const consequence = first === 'UmRdpService' ? 'so RDP sessions lose device redirection and connections can fail' : 'so Windows cannot create or renew the RDP certificate, and TLS fails once the current one is unusable';
    return f.problem({
      summary: `${what}, ${consequence}.${broken.length > 1 ? ` Also affected: ${broken.slice(1).join(', ')}.` : ''}`,
      explanation: 'Remote Desktop relies on these support services: SessionEnv, CertPropSvc, KeyIso and CryptSvc create the self-signed RDP certificate, UmRdpService must run alongside TermService. The fix sets the start type back to Manual and starts the service; nobody is disconnected.',
      evidence: { ...evidence, broken },
      fix: proposeFix('start-rdp-dependency', got.facts),
    });
  }
  return f.ok('The RDP support services (UmRdpService, SessionEnv, CryptSvc, KeyIso, CertPropSvc) are enabled and can start.', 'Manual services that are stopped start on demand; none is disabled.', evidence);
});
