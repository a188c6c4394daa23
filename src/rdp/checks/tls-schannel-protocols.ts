// tls-schannel-protocols (§3.E): the server side of Schannel must offer TLS 1.2 (Enabled≠0, DisabledByDefault=0).
import { SCHANNEL_PROTOCOLS } from '../read-plan.ts';
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { minutesAgo } from './lib/dates.ts';
import { maybe, need } from './lib/facts.ts';
import { schannelServerEnabled } from './lib/host.ts';
import { regNumber } from './lib/registry.ts';

export const tlsSchannelProtocols = defineCheck('tls-schannel-protocols', 'TLS 1.2 enabled for the RDP server', 'critical', (input, f) => {
  const got = need(input, {
    tls10: ['SCHANNEL\\Protocols\\TLS 1.0\\Server', (h) => h.schannel['TLS 1.0']],
    tls11: ['SCHANNEL\\Protocols\\TLS 1.1\\Server', (h) => h.schannel['TLS 1.1']],
    tls12: ['SCHANNEL\\Protocols\\TLS 1.2\\Server', (h) => h.schannel['TLS 1.2']],
  });
  if (!got.ok) return f.unknown(`Could not tell which TLS versions the RDP server offers: ${got.missing}.`, undefined, got.evidence);
  const keys = { 'TLS 1.0': got.v.tls10, 'TLS 1.1': got.v.tls11, 'TLS 1.2': got.v.tls12 };
  const state = Object.fromEntries(SCHANNEL_PROTOCOLS.map((p) => [p, { enabled: schannelServerEnabled(got.facts, p), Enabled: regNumber(keys[p], 'Enabled') ?? null, DisabledByDefault: regNumber(keys[p], 'DisabledByDefault') ?? null }]));
  const ev36871 = (maybe(got.facts.events.schannel) ?? []).filter((e) => e.id === 36871 && minutesAgo(input.now, e.timeCreated) <= 24 * 60).length;
  const evidence = { server: state, schannel36871Last24h: ev36871 };
  const on = SCHANNEL_PROTOCOLS.filter((p) => schannelServerEnabled(got.facts, p));
  if (schannelServerEnabled(got.facts, 'TLS 1.2') === false) {
    const t12 = state['TLS 1.2'];
    return f.problem({
      summary: on.length === 0
        ? `Every server-side TLS version is disabled in Schannel (TLS 1.2 Enabled=${t12?.Enabled ?? 'default'}, DisabledByDefault=${t12?.DisabledByDefault ?? 'default'}), so RDP cannot do TLS and drops every client (0x904 / 0x7).`
        : `TLS 1.2 is disabled for the server side of Schannel (only ${on.join(', ')} left), so current clients that require TLS 1.2 are dropped (0x904 / 0x7).`,
      explanation: `Schannel${ev36871 ? ` logged ${ev36871} × event 36871 ("fatal error creating a TLS server credential", 10013) and` : ''} has no acceptable TLS version for RDP. The fix enables only TLS 1.2 on the server side (legacy TLS 1.0/1.1 stay off) and restarts Remote Desktop Services, which drops open RDP sessions. Other TLS services on the host (IIS, WinRM over HTTPS) share this setting.`,
      evidence,
      fix: proposeFix('enable-tls12', got.facts),
    });
  }
  return f.ok(`TLS 1.2 is enabled for the RDP server (server-side TLS versions on: ${on.join(', ')}).`, 'Schannel offers a TLS version current clients accept.', evidence);
});
