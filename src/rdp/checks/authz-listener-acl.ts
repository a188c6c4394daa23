// authz-listener-acl (§3.G): the RDP-Tcp listener's own ACL must give Remote Desktop Users and
// Administrators Logon (32) and Connect (256). Without Win32_TSAccount, an absent `Security` value
// under RDP-Tcp means the default ACL.
import { isFactError } from '../read-plan.ts';
import { defineCheck } from './lib/check.ts';
import { describeError, need } from './lib/facts.ts';
import { SID_ADMINS, SID_RDU } from './lib/host.ts';
import { regData } from './lib/registry.ts';

const LOGON = 32;
const CONNECT = 256;

export const authzListenerAcl = defineCheck('authz-listener-acl', 'RDP listener permissions', 'medium', (input, f) => {
  const got = need(input, { rdpTcp: ['the RDP-Tcp registry key', (h) => h.rdpTcp] });
  if (!got.ok) return f.unknown(`Could not check the RDP listener permissions: ${got.missing}.`, undefined, got.evidence);
  const customised = regData(got.v.rdpTcp, 'Security') !== undefined;
  const accounts = got.facts.tsAccounts;
  if (isFactError(accounts)) {
    if (!customised) return f.ok('The RDP-Tcp listener uses the default permissions (no custom Security descriptor).', 'By default Administrators and Remote Desktop Users may log on and connect.', { customised, tsAccount: `not read (${describeError(accounts)})` });
    return f.unknown(`Could not check the RDP listener permissions: the listener has a custom ACL and Win32_TSAccount could not be read (${describeError(accounts)}).`, undefined, { customised });
  }
  const entry = (sid: string): Record<string, unknown> | undefined => accounts.find((a) => String(a['SID'] ?? '').toUpperCase() === sid);
  const issues: string[] = [];
  for (const [sid, name] of [[SID_RDU, 'Remote Desktop Users'], [SID_ADMINS, 'Administrators']] as const) {
    const e = entry(sid);
    const allowed = Number(e?.['PermissionsAllowed'] ?? 0);
    const denied = Number(e?.['PermissionsDenied'] ?? 0);
    if (!e) issues.push(`${name} has no entry`);
    else if ((allowed & (LOGON | CONNECT)) !== (LOGON | CONNECT) || (denied & (LOGON | CONNECT)) !== 0) issues.push(`${name} lacks Logon/Connect`);
  }
  const evidence = { customised, accounts: accounts.map((a) => ({ sid: a['SID'], name: a['AccountName'], allowed: a['PermissionsAllowed'], denied: a['PermissionsDenied'] })) };
  if (issues.length) {
    return f.problem({
      summary: `The RDP-Tcp listener permissions block logons (${issues.join('; ')}), so the server denies the connection after accepting it.`,
      explanation: 'The listener has its own ACL. Restore the defaults with Win32_TSPermissionsSetting.RestoreDefaults (resets any intended restriction; needs approval) or add the missing right; rdp-medic has no automatic fix for it.',
      evidence,
    });
  }
  return f.ok('The RDP-Tcp listener lets Remote Desktop Users and Administrators log on and connect.', 'The listener ACL grants Logon and Connect.', evidence);
});
