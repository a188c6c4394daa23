// net-rdp-probe (§2): the bot's own X.224 + TLS handshake, the part of the client handshake where
// 0x904 / 0x7 happens. Reports what it sees and, when the host facts show it, the cause behind it.
import { failureMeaning } from '../probes/index.ts';
import { whyFiltered, whyNegotiationFails, whyNotListening, whyTlsFails, type Cause } from './lib/causes.ts';
import { defineCheck } from './lib/check.ts';
import { ymd } from './lib/dates.ts';
import { hostFacts } from './lib/facts.ts';
import { inUseCertificate } from './lib/host.ts';

const CAUSE_FOR_CERT_FAILURE: Cause = { text: 'the server has no usable certificate for TLS', check: 'cert-rdp-store' };

export const netRdpProbe = defineCheck('net-rdp-probe', 'RDP handshake (X.224 + TLS) from the bot', 'critical', (input, f) => {
  const r = input.probes.rdp;
  const port = r.target.port;
  const clientPort = input.target.rdpPort;
  const facts = hostFacts(input);
  const evidence: Record<string, unknown> = {
    stage: r.stage,
    ok: r.ok,
    error: r.error,
    requested: r.negotiation?.requested ?? null,
    selected: r.negotiation?.selected ?? null,
    failure: r.negotiation?.failure ?? null,
    tls: r.tls,
    certificate: r.certificate
      ? {
          subject: r.certificate.subject, validFrom: r.certificate.validFrom, validTo: r.certificate.validTo, expired: r.certificate.expired, notYetValid: r.certificate.notYetValid,
          selfSigned: r.certificate.selfSigned, sha1: r.certificate.sha1Thumbprint, nameMatches: r.certificate.nameMatches,
        }
      : null,
  };
  const because = (cause: Cause | null, generic: string): string => cause?.text ?? generic;
  /** The symptom as a client sees it, shown inside the host-side finding that names its cause. */
  const symptomOf = (cause: Cause | null, proof: string): { proof: string; supports?: Cause['check'] } => ({ proof, ...(cause ? { supports: cause.check } : {}) });
  const EXPL_904 = 'This is the step where mstsc reports "error code 0x904, extended error code 0x7": the TCP connection opens, then the server closes it during the handshake.';

  if (!r.ok && r.stage === 'tcp') {
    const cause = r.error?.code === 'ECONNREFUSED' ? whyNotListening(facts, clientPort) : whyFiltered(facts, clientPort) ?? whyNotListening(facts, clientPort);
    return f.problem({
      summary: `The RDP handshake could not start: TCP to port ${port} failed (${r.error?.code ?? 'error'})${cause ? `: ${cause.text}` : ''}.`,
      explanation: 'The probe never reached the RDP layer because the TCP connection failed; see the TCP reachability finding and the cause it names.',
      proof: 'the handshake never starts: TCP to the RDP port fails',
      evidence: { ...evidence, cause: cause?.text ?? null },
      supports: 'net-tcp-reachability',
    });
  }
  if (!r.ok && r.stage === 'x224') {
    const neg = r.negotiation;
    if (neg?.failure) {
      const code = neg.failureCode ?? 0;
      const cause = code === 3 ? (whyTlsFails(facts, input.now) ?? CAUSE_FOR_CERT_FAILURE) : whyNegotiationFails(facts);
      return f.problem({
        summary: `The server refused the RDP negotiation (${neg.failure}): ${because(cause, failureMeaning(code))}, so clients offering TLS/NLA are turned away.`,
        explanation: `${EXPL_904} The server answered the Connection Request with RDP_NEG_FAILURE, meaning ${failureMeaning(code)}. The security-layer or certificate finding names the setting to change.`,
        evidence: { ...evidence, cause: cause?.text ?? null },
        ...symptomOf(cause, `the server refuses the RDP negotiation (${neg.failure})`),
      });
    }
    if (r.error?.code === 'ETIMEDOUT') {
      const cause = whyFiltered(facts, clientPort);
      return f.problem({
        summary: `RDP port ${port} accepts TCP but never answers the RDP Connection Request: ${because(cause, 'a firewall, middlebox or hung TermService swallows the connection')}.`,
        explanation: `${EXPL_904} Something completes the TCP handshake but no RDP server answers behind it: typically a firewall or VPN/NAT device that accepts and then drops, or a hung listener.`,
        evidence: { ...evidence, cause: cause?.text ?? null },
        ...symptomOf(cause, 'TCP connects, then the RDP Connection Request gets no answer'),
      });
    }
    const cause = whyNotListening(facts, clientPort) ?? whyFiltered(facts, clientPort);
    return f.problem({
      summary: `The server closed the RDP connection before confirming it (${r.error?.code ?? 'closed'}): ${because(cause, 'TermService, the listener or a middlebox drops new connections')}.`,
      explanation: `${EXPL_904} ${r.error?.message ?? ''}`.trim(),
      evidence: { ...evidence, cause: cause?.text ?? null },
      ...symptomOf(cause, `TCP connects, then the server closes the connection (${r.error?.code ?? 'closed'})`),
    });
  }
  if (!r.ok && r.stage === 'tls') {
    const cause = whyTlsFails(facts, input.now);
    return f.problem({
      summary: `The TLS handshake on port ${port} failed (${r.error?.code ?? 'error'}): ${because(cause, 'the server cannot complete TLS (certificate, private key or Schannel settings)')}, which clients report as 0x904 / 0x7.`,
      explanation: `${EXPL_904} The server agreed to TLS/CredSSP, then dropped the TLS handshake. The certificate and Schannel findings name the cause and the fix.`,
      evidence: { ...evidence, cause: cause?.text ?? null },
      ...symptomOf(cause, `the connection drops during the TLS handshake (${r.error?.code ?? 'error'}): mstsc shows 0x904 / 0x7`),
    });
  }
  if (!r.ok) {
    return f.problem({ summary: `The RDP probe failed at the ${r.stage} stage (${r.error?.code ?? 'error'}): ${r.error?.message ?? 'unknown error'}.`, explanation: EXPL_904, evidence });
  }
  // Handshake done.
  if (r.negotiation?.selected === 'rdp') {
    const cause = whyNegotiationFails(facts);
    return f.problem({
      summary: `The server selected legacy Standard RDP Security instead of TLS: ${because(cause, 'SecurityLayer is 0')}, so the server is not authenticated and NLA clients fail.`,
      explanation: 'With the RDP security layer there is no TLS certificate and no NLA; modern clients that require either are refused. See the security-layer finding.',
      evidence: { ...evidence, cause: cause?.text ?? null },
      ...symptomOf(cause, 'the server answers with legacy RDP security, no TLS'),
    });
  }
  const c = r.certificate;
  if (!c) return f.problem({ summary: `The TLS handshake on port ${port} completed without a server certificate.`, explanation: 'An RDP server always presents a certificate; something else is answering.', evidence });
  if (c.expired) {
    return f.problem({
      summary: `The RDP certificate expired on ${ymd(c.validTo)}, so clients drop the TLS handshake (0x904 / 0x7).`,
      explanation: `${EXPL_904} The server presents a certificate that is no longer valid. The certificate finding proposes the renewal.`,
      proof: `the TLS handshake completes; clients reject the certificate, expired on ${ymd(c.validTo)}`,
      evidence,
      supports: 'cert-rdp-store',
    });
  }
  if (c.notYetValid) {
    return f.problem({
      summary: `The RDP certificate is not valid before ${ymd(c.validFrom)}, so clients reject it: the host clock or the certificate dates are wrong.`,
      explanation: 'A certificate that is not yet valid usually means the clock of the host (or the client) is wrong.',
      proof: `the TLS handshake completes; clients reject the certificate, not valid before ${ymd(c.validFrom)}`,
      evidence,
      supports: 'cert-rdp-store',
    });
  }
  const inUse = facts ? inUseCertificate(facts) : undefined;
  if (inUse?.thumbprint && inUse.thumbprint !== c.sha1Thumbprint) {
    return f.warning({
      summary: `The certificate seen from here (${c.sha1Thumbprint}) is not the one the host uses (${inUse.thumbprint}): another machine or a TLS-inspecting middlebox answers on port ${port}.`,
      explanation: 'The bot talked to something other than the host\'s own RDP listener. Check DNS (the DNS finding) and any middlebox between the clients and the host.',
      evidence: { ...evidence, hostThumbprint: inUse.thumbprint },
    });
  }
  if (c.nameMatches === false && !c.selfSigned) {
    return f.warning({
      summary: `The RDP certificate does not cover the name ${input.target.address} (${c.nameMismatch ?? 'name mismatch'}), so clients that check it show a warning or refuse.`,
      explanation: 'A CA-issued certificate should name what users type. Re-issue it with that name in the SAN, or tell users which name to use.',
      evidence,
    });
  }
  if (r.tls?.legacy) {
    return f.warning({
      summary: `RDP negotiated ${r.tls.version}, a legacy TLS version that current clients may refuse.`,
      explanation: 'TLS 1.0/1.1 are deprecated; enable TLS 1.2 on the server (see the Schannel finding).',
      evidence,
    });
  }
  return f.ok(
    `RDP answers on port ${port} with ${r.tls?.version ?? 'TLS'} (${r.negotiation?.selected ?? 'tls'}) and a certificate valid until ${ymd(c.validTo)}.`,
    c.selfSigned && c.nameMatches === false
      ? 'The handshake works. The certificate is the self-signed one Windows makes (named after the computer, not the DNS name), which is normal: clients see a one-time trust prompt.'
      : 'The handshake part where 0x904 / 0x7 happens works from here.',
    evidence,
  );
});
