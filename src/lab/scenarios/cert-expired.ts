// cert-expired: the RDP self-signed certificate in 'Remote Desktop' expired on 2026-10-01 (six
// months after it was made) and was never replaced. TLS presents an expired certificate.
// Cured by cert.move 'Remote Desktop' -> a backup store (e.g. 'RdpMedicBackup'; undoable, unlike
// cert.remove) and service.control SessionEnv restart: with no usable certificate left, the host
// generates a new self-signed one (regenerate-cert.ts), as Windows does.
import type { HostModel } from '../model/host-model.ts';
import { RDP_STORE } from '../model/paths.ts';
import { newRdpCertificate } from '../model/rdp-cert.ts';
import type { Scenario, ScenarioContext } from './types.ts';

const DAY = 86_400_000;
const FIXED_EXPIRY = Date.UTC(2026, 9, 1); // 2026-10-01T00:00:00Z

/** 2026-10-01 when that is at least 30 days ago; otherwise the first of a month at least 30 days ago. */
export function expiryDate(now: Date): Date {
  if (now.getTime() - FIXED_EXPIRY >= 30 * DAY) return new Date(FIXED_EXPIRY);
  const back = new Date(now.getTime() - 30 * DAY);
  return new Date(Date.UTC(back.getUTCFullYear(), back.getUTCMonth(), 1));
}

export function plantExpiredRdpCert(m: HostModel, ctx: ScenarioContext): void {
  const notAfter = expiryDate(ctx.now);
  const notBefore = new Date(Date.UTC(notAfter.getUTCFullYear(), notAfter.getUTCMonth() - 6, notAfter.getUTCDate()));
  const store = m.certStores[RDP_STORE.toLowerCase()];
  if (!store) throw new Error('scenario cert-expired: no Remote Desktop store');
  store.certs = [newRdpCertificate(m, ctx.now, { notBefore, notAfter })];
}

export const certExpired: Scenario = {
  name: 'cert-expired',
  description: 'The RDP self-signed certificate expired (2026-10-01) and was not renewed.',
  cause: ['cert-rdp-store'],
  fix: "cert.move fromStore 'Remote Desktop' toStore 'RdpMedicBackup' thumbprint <expired>; service.control SessionEnv restart",
  apply: plantExpiredRdpCert,
};
