// regenerate-rdp-certificate (cert-rdp-store, cert-machinekeys-acl): move every unusable certificate
// (expired, not yet valid, no key, key not openable) out of 'Remote Desktop' into 'RdpMedicBackup'
// (cert.move keeps cert and key, so undo can move it back, unlike a removal), then restart
// SessionEnv: with no usable certificate left, Windows creates a new self-signed one [S7][S9].
// Self-signed case only: a custom binding (SSLCertificateSHA1Hash) is cert-binding's business.
import { REGISTRY_PATHS } from '../read-plan.ts';
import type { Operation } from '../../host/operations.ts';
import { BACKUP_STORE, certProblem, need, RDP_STORE, rdpCertificates, regState, service } from './lib/facts.ts';
import { defineFix, makeFixPlan, notApplicable, restartSteps, serviceControl } from './lib/plan.ts';

export const regenerateRdpCertificate = defineFix('regenerate-rdp-certificate', (ctx) => {
  const certs = need(rdpCertificates(ctx.facts));
  const binding = need(regState(ctx.facts, REGISTRY_PATHS.rdpTcp, 'SSLCertificateSHA1Hash'));
  if (binding.exists) return notApplicable('RDP uses a custom certificate binding (SSLCertificateSHA1Hash), not the self-signed certificate: see cert-binding');
  const usable = certs.filter((c) => certProblem(c, ctx.now) === null);
  if (usable.length) return notApplicable(`the "${RDP_STORE}" store already holds a usable certificate (${usable.map((c) => c.thumbprint).join(', ')}), valid until ${usable[0]?.notAfter.slice(0, 10)}`);
  // Windows can only make the new certificate when these can run (regenerate-cert, [S5]).
  const sessionEnv = need(service(ctx.facts, 'SessionEnv'));
  for (const name of ['SessionEnv', 'CryptSvc', 'KeyIso'] as const) {
    if (need(service(ctx.facts, name)).startType === 'Disabled') return notApplicable(`${name} is Disabled, so Windows cannot create a new certificate: run start-rdp-dependency first`);
  }
  if (sessionEnv.state !== 'Running' && sessionEnv.state !== 'Stopped') return notApplicable(`SessionEnv is ${sessionEnv.state} (hung); restart it by hand first`);
  const ops: Operation[] = certs.map((c, i) => ({ id: `move-cert-${i + 1}`, op: 'cert.move', fromStore: RDP_STORE, toStore: BACKUP_STORE, thumbprint: c.thumbprint }));
  ops.push(...(sessionEnv.state === 'Running' ? restartSteps(ctx.facts, 'SessionEnv') : [serviceControl('start-SessionEnv', 'SessionEnv', 'start', 'Stopped')]));
  return makeFixPlan('regenerate-rdp-certificate', ctx, { ops, recheck: ['cert-rdp-store'], expectRdpTls: true });
});
