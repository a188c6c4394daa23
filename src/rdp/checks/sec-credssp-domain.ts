// sec-credssp-domain (§3.F): CredSSP oracle policy, domain credentials disabled, clock skew.
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { valueNumber } from './lib/registry.ts';

export const MAX_SKEW_MINUTES = 5;

export const secCredsspDomain = defineCheck('sec-credssp-domain', 'CredSSP, domain trust and clock', 'high', (input, f) => {
  const got = need(input, {
    os: ['the host clock and domain membership (Win32_ComputerSystem)', (h) => h.os],
    oracle: ['the CredSSP AllowEncryptionOracle policy', (h) => h.credSspOracle],
    domainCreds: ['Lsa disabledomaincreds', (h) => h.disableDomainCreds],
  });
  if (!got.ok) return f.unknown(`Could not check CredSSP, domain credentials and the host clock: ${got.missing}.`, undefined, got.evidence);
  const oracle = valueNumber(got.v.oracle);
  const noDomainCreds = valueNumber(got.v.domainCreds) === 1;
  const hostNow = Date.parse(got.v.os.utcNow);
  const skewMin = Number.isNaN(hostNow) ? null : Math.round((Math.abs(hostNow - input.now.getTime()) / 60_000) * 10) / 10;
  const domain = got.v.os.partOfDomain;
  const evidence = { partOfDomain: domain, domain: got.v.os.domain, AllowEncryptionOracle: oracle ?? null, disabledomaincreds: noDomainCreds ? 1 : 0, clockSkewMinutes: skewMin };
  if (domain && noDomainCreds) {
    return f.problem({
      summary: 'Domain credentials are not allowed for network logon on this host (disabledomaincreds=1), so NLA rejects domain users ("An authentication error has occurred").',
      explanation: 'With this LSA setting CredSSP cannot use domain credentials. Set HKLM\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\disabledomaincreds to 0 (often a security baseline: check with its owner); rdp-medic has no automatic fix for it.',
      evidence,
    });
  }
  if (skewMin !== null && skewMin > MAX_SKEW_MINUTES) {
    const parts = { summary: `The host clock is ${skewMin} minutes off rdp-medic's clock, so Kerberos/NLA authentication ${domain ? 'fails' : 'may fail'} and certificates look invalid.`, explanation: 'Kerberos tolerates about 5 minutes of skew. Resynchronise the host clock (`w32tm /resync`) and check its time source; escalate.', evidence };
    return domain ? f.problem(parts) : f.warning(parts);
  }
  if (oracle === 2) {
    return f.warning({
      summary: 'CredSSP is set to "Vulnerable" (AllowEncryptionOracle=2), a workaround that weakens security.',
      explanation: 'This setting lets unpatched CredSSP clients connect. Patch clients and server and set it back to 1 or remove it; a security decision.',
      evidence,
    });
  }
  return f.ok(`CredSSP, domain credentials and the host clock are fine (skew ${skewMin ?? '?'} min${domain ? '' : ', not domain-joined'}).`, 'Nothing here blocks NLA authentication.', evidence);
});
