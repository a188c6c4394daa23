// A small diagnosis derived from the lab model (deriveRdpState), for tests that run fixes against a
// model without the WS-Man server or the probes: listener, firewall, certificate, TLS 1.2 and the
// RDP handshake as the listener would answer it.
import { X509Certificate } from 'node:crypto';
import type { HostModel } from '../../src/lab/model/host-model.ts';
import { deriveRdpState } from '../../src/lab/model/rdp-state.ts';
import type { CheckId, Diagnosis, Finding } from '../../src/rdp/types.ts';

export function labDiagnose(m: HostModel): Diagnosis {
  const st = deriveRdpState(m);
  const certOk = st.certificate !== null && st.certificate.keyReadable && (() => {
    const x = new X509Certificate(st.certificate.certPem);
    return Date.parse(x.validFrom) <= Date.now() && Date.now() < Date.parse(x.validTo);
  })();
  const finding = (check: CheckId, ok: boolean): Finding => ({
    check, title: check, verdict: ok ? 'ok' : 'problem', severity: 'critical', summary: `${check} ${ok ? 'ok' : 'broken'}`, explanation: '', evidence: {}, fix: null,
  });
  const findings = [
    finding('listener-state', st.listening),
    finding('fw-rdp-rules', st.firewallAllows),
    finding('cert-rdp-store', certOk),
    finding('tls-schannel-protocols', st.tls.tls12),
    finding('net-rdp-probe', st.listening && st.firewallAllows && certOk && st.tls.tls12 && st.securityLayer !== 0),
  ];
  const problem = findings.find((f) => f.verdict === 'problem');
  return { host: m.computerName, verdict: problem ? 'problem' : 'ok', headline: problem?.summary ?? 'healthy', findings, timingsMs: { probes: 0, plan: 0, total: 0 }, winrmCommands: 0 };
}
