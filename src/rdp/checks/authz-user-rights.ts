// authz-user-rights (§3.G): "Allow/Deny log on through Remote Desktop Services". The read plan does not
// export the rights list (secedit), so this judges by outcome: failed logons refused for a missing
// logon right (4625 status 0xC000015B) in the last 24 hours.
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';

const NOT_GRANTED = /c000015b/i;

export const authzUserRights = defineCheck('authz-user-rights', 'RDP logon right granted', 'high', (input, f) => {
  const got = need(input, { failed: ['the Security log (failed logons, 4625)', (h) => h.events.failedLogons] });
  if (!got.ok) return f.unknown(`Could not tell whether users hold the RDP logon right: ${got.missing}.`, undefined, got.evidence);
  const refused = got.v.failed.filter((e) => e.id === 4625 && e.properties.some((p) => NOT_GRANTED.test(p)));
  const evidence = { failedLogons: got.v.failed.length, refusedForLogonRight: refused.length, rightsList: 'not read (secedit export is not in the read plan)' };
  if (refused.length) {
    return f.problem({
      summary: `${refused.length} logon(s) in the last 24 hours were refused because the account lacks the "Allow log on through Remote Desktop Services" right (0xC000015B), or a Deny right applies.`,
      explanation: 'User rights are almost always set by Group Policy or a security baseline (e.g. denying local accounts S-1-5-113/114). Find the policy with `gpresult /scope computer /h gp.html` and change it there (escalate to its owner); rdp-medic proposes no local change.',
      evidence,
      managedByPolicy: true,
    });
  }
  return f.ok('No RDP logon in the last 24 hours was refused for a missing "log on through Remote Desktop Services" right.', 'Judged from the failed-logon events: the rights list itself is not read, so a user who has not tried yet is not covered.', evidence);
});
