// fw-third-party (§3.D): is something other than Windows Firewall (third-party firewall, AV/EDR, a
// middlebox) blocking RDP? The read plan does not inventory security products, so this judges by
// outcome: the bot's handshake vs what the host's own configuration explains.
import { whyFiltered, whyNegotiationFails, whyNotListening, whyTlsFails } from './lib/causes.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';

export const fwThirdParty = defineCheck('fw-third-party', 'No third-party product blocks RDP', 'medium', (input, f) => {
  const r = input.probes.rdp;
  const evidence = { probeStage: r.stage, probeOk: r.ok, probeError: r.error?.code ?? null, inventory: 'security products are not read by the read plan (SecurityCenter2)' };
  if (r.ok && r.tls) {
    return f.ok('Nothing between rdp-medic and the host blocks RDP: the RDP and TLS handshake completed.', 'A third-party firewall or security product that blocked RDP would have stopped this handshake.', evidence);
  }
  const got = need(input, { rules: ['the firewall rules', (h) => h.firewallRules], profiles: ['the firewall profiles', (h) => h.firewallProfiles] });
  if (!got.ok) return f.unknown(`Could not tell whether a third-party product blocks RDP: the RDP handshake failed and ${got.missing}.`, undefined, { ...evidence, ...got.evidence });
  const port = input.target.rdpPort;
  const explained = (whyNotListening(got.facts, port) ?? whyFiltered(got.facts, port) ?? whyTlsFails(got.facts, input.now) ?? whyNegotiationFails(got.facts))?.text;
  if (explained) {
    return f.unknown(`Could not tell whether a third-party product also blocks RDP: the handshake already fails for a host-side reason (${explained}).`, 'Fix the host-side cause first, then re-run the diagnosis; if RDP still fails, this check can tell.', { ...evidence, explainedBy: explained });
  }
  return f.warning({
    summary: `RDP fails at the ${r.stage} stage (${r.error?.code ?? 'error'}) although Windows Firewall allows it and the host configuration looks right: a third-party firewall, AV/EDR product or a network device may be blocking it.`,
    explanation: 'Security products and intrusion-prevention devices can reset or swallow RDP connections. rdp-medic must not disable security products: escalate to the security team with the time of this diagnosis.',
    evidence,
  });
});
