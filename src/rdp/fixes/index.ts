// The plan builders by fix id, and buildFix: facts -> compare-and-set FixPlan or the reason it does not apply.
import { FIX_IDS, type KnownFixId } from './catalogue.ts';
import { addRdpUser } from './add-rdp-user.ts';
import { disableNlaTemporarily } from './disable-nla-temporarily.ts';
import { enableRdpFirewallRules } from './enable-rdp-firewall-rules.ts';
import { enableRdpListener } from './enable-rdp-listener.ts';
import { enableRdp } from './enable-rdp.ts';
import { enableTls12 } from './enable-tls12.ts';
import { raiseConnectionLimit } from './raise-connection-limit.ts';
import { regenerateRdpCertificate } from './regenerate-rdp-certificate.ts';
import { resetRdpPort } from './reset-rdp-port.ts';
import { restartTermService } from './restart-termservice.ts';
import { restoreSecurityLayer } from './restore-security-layer.ts';
import { startRdpDependency } from './start-rdp-dependency.ts';
import { startTermService } from './start-termservice.ts';
import type { BuildResult, FixBuilder, FixContext } from './lib/plan.ts';

export { FIX_IDS, FIX_INFO, proposeFix, sessionsAtRisk, type KnownFixId } from './catalogue.ts';
export { canonicalJson, isNotApplicable, planHash, type BuildResult, type FixBuilder, type FixContext, type NotApplicable } from './lib/plan.ts';
export { buildUndo } from './undo.ts';

export const FIX_BUILDERS: Record<KnownFixId, FixBuilder> = {
  'enable-rdp': enableRdp,
  'start-termservice': startTermService,
  'restart-termservice': restartTermService,
  'enable-rdp-listener': enableRdpListener,
  'reset-rdp-port': resetRdpPort,
  'enable-rdp-firewall-rules': enableRdpFirewallRules,
  'regenerate-rdp-certificate': regenerateRdpCertificate,
  'enable-tls12': enableTls12,
  'restore-security-layer': restoreSecurityLayer,
  'disable-nla-temporarily': disableNlaTemporarily,
  'add-rdp-user': addRdpUser,
  'raise-connection-limit': raiseConnectionLimit,
  'start-rdp-dependency': startRdpDependency,
};

export const isKnownFixId = (id: string): id is KnownFixId => (FIX_IDS as readonly string[]).includes(id);

export function buildFix(id: KnownFixId, ctx: FixContext): BuildResult {
  return FIX_BUILDERS[id].build(ctx);
}
