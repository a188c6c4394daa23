// What the simulated RDP listener needs, derived from the model the way Windows derives it.
// Simplification: registry changes (port, TLS protocols) take effect at once, without the
// TermService restart a real host needs; fixes still include the restart, so nothing is lost.
import type { RdpListenerState } from '../types.ts';
import type { HostModel } from './host-model.ts';
import { effSecurityLayer, effUserAuth, listenerUp, portNumber, schannelServer, selectedCertificate } from './effective.ts';
import { firewallAllowsTcp } from './firewall-eval.ts';
import { keyReadableByTermService } from './rdp-cert.ts';

export function deriveRdpState(model: HostModel): RdpListenerState {
  const port = portNumber(model);
  const sl = effSecurityLayer(model).value;
  const selected = selectedCertificate(model);
  return {
    listening: listenerUp(model),
    portNumber: port,
    firewallAllows: firewallAllowsTcp(model, port),
    securityLayer: sl === 0 || sl === 1 ? sl : 2,
    nla: effUserAuth(model).value !== 0,
    certificate: selected ? { certPem: selected.cert.certPem, keyPem: selected.cert.keyPem ?? '', keyReadable: keyReadableByTermService(model, selected.cert) } : null,
    tls: { tls10: schannelServer(model, 'TLS 1.0'), tls11: schannelServer(model, 'TLS 1.1'), tls12: schannelServer(model, 'TLS 1.2') },
  };
}
