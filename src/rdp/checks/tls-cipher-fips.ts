// tls-cipher-fips (§3.E): a cipher-suite policy or FIPS mode that leaves no suite in common with clients.
import { defineCheck } from './lib/check.ts';
import { minutesAgo } from './lib/dates.ts';
import { need } from './lib/facts.ts';
import { rdpTcpSetting } from './lib/host.ts';
import { valueNumber } from './lib/registry.ts';

export const tlsCipherFips = defineCheck('tls-cipher-fips', 'Cipher suites and FIPS mode compatible', 'high', (input, f) => {
  const got = need(input, {
    fips: ['the FIPSAlgorithmPolicy value', (h) => h.fipsAlgorithmPolicy],
    suites: ['the cipher suite order policy', (h) => h.cipherSuitePolicy],
    schannel: ['the System log (Schannel)', (h) => h.events.schannel],
  });
  if (!got.ok) return f.unknown(`Could not tell whether cipher suites or FIPS mode block TLS: ${got.missing}.`, undefined, got.evidence);
  const fips = valueNumber(got.v.fips) === 1;
  const suites = got.v.suites.exists ? got.v.suites.data : null;
  const ev36874 = got.v.schannel.filter((e) => e.id === 36874 && minutesAgo(input.now, e.timeCreated) <= 24 * 60).length;
  const minEnc = rdpTcpSetting(got.facts, 'MinEncryptionLevel', 2);
  const evidence = { fipsEnabled: fips, cipherSuitePolicy: suites, schannel36874Last24h: ev36874, MinEncryptionLevel: minEnc?.value ?? null };
  if (ev36874) {
    return f.problem({
      summary: `Schannel logged ${ev36874} "no cipher suite in common" error(s) (36874) in the last 24 hours${suites ? ' under a Group Policy cipher suite order' : ''}, so some clients cannot complete TLS (0x904 / 0x7).`,
      explanation: suites
        ? 'The cipher suite list comes from Group Policy (SSL Cipher Suite Order); a local change would be undone. Add suites the clients support in that GPO (escalate to its owner).'
        : 'The server and some clients share no cipher suite. Compare the host\'s suites (`Get-TlsCipherSuite`) with the clients\'; the change needs a reboot and a security owner\'s approval. Escalate.',
      evidence,
      managedByPolicy: suites !== null,
    });
  }
  if (fips || minEnc?.value === 4) {
    return f.warning({
      summary: `FIPS mode is on (${fips ? 'FIPSAlgorithmPolicy Enabled=1' : 'MinEncryptionLevel=4'}), so clients that cannot use FIPS algorithms are refused (extended error 0x8).`,
      explanation: 'FIPS is usually a deliberate hardening policy. If non-FIPS clients must connect, the security policy owner decides; turning it off needs a reboot. rdp-medic proposes no change.',
      evidence,
    });
  }
  return f.ok(`No cipher-suite policy or FIPS mode restricts TLS${suites ? ' beyond the configured suite order' : ''}, and Schannel logged no cipher mismatch.`, 'Clients and server can agree on a cipher suite.', evidence);
});
