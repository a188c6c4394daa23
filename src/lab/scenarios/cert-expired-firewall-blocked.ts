// cert-expired+firewall-blocked: two planted causes, for ordering tests. The firewall blocks the
// port (found first: TCP times out) and, once opened, the certificate is expired. Cured by both
// fixes: fw.enable the RDP rules, then cert.move + SessionEnv restart.
import { certExpired } from './cert-expired.ts';
import { firewallBlocked } from './firewall-blocked.ts';
import type { Scenario } from './types.ts';

export const certExpiredFirewallBlocked: Scenario = {
  name: 'cert-expired+firewall-blocked',
  description: 'The RDP firewall rules are disabled and the RDP certificate has expired.',
  cause: ['fw-rdp-rules', 'cert-rdp-store'],
  fix: `${firewallBlocked.fix}; then ${certExpired.fix}`,
  apply: (m, ctx) => {
    firewallBlocked.apply(m, ctx);
    certExpired.apply(m, ctx);
  },
};
