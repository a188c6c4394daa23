// authz-rdp-users (§3.G): each configured RDP user must be in Remote Desktop Users (S-1-5-32-555) or
// Administrators (S-1-5-32-544). Matched by SID, or by DOMAIN\name case-insensitively (a local
// account may be written with the inventory id, ".\" or no domain).
import type { GroupMember } from '../../host/operations.ts';
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { inventoryNames } from './net-winrm-identity.ts';

/** Groups whose members are everyone who can log on at all: membership through them counts. */
const BROAD = new Set(['S-1-1-0', 'S-1-5-11', 'S-1-5-4']);

export function memberMatches(user: string, m: GroupMember, localNames: string[]): boolean {
  const u = user.trim();
  if (/^S-1-/i.test(u)) return m.sid.toUpperCase() === u.toUpperCase();
  if (!m.name) return false;
  const split = (s: string): [string, string] => {
    const i = s.lastIndexOf('\\');
    return i < 0 ? ['', s.toLowerCase()] : [s.slice(0, i).toLowerCase(), s.slice(i + 1).toLowerCase()];
  };
  const [ud, un] = split(u);
  const [md, mn] = split(m.name);
  if (un !== mn) return false;
  if (ud === md) return true;
  // Local accounts: "HOST\user", ".\user" or "user" all name the same account.
  const local = (d: string): boolean => d === '' || d === '.' || localNames.includes(d);
  return local(ud) && local(md);
}

export const authzRdpUsers = defineCheck('authz-rdp-users', 'RDP users allowed to log on', 'high', (input, f) => {
  const got = need(input, {
    rdu: ['the Remote Desktop Users group (S-1-5-32-555)', (h) => h.remoteDesktopUsers],
    admins: ['the Administrators group (S-1-5-32-544)', (h) => h.administrators],
  });
  if (!got.ok) return f.unknown(`Could not check who may log on over RDP: ${got.missing}.`, undefined, got.evidence);
  const users = input.target.rdpUsers;
  const os = 'error' in got.facts.os ? null : got.facts.os;
  const localNames = [...inventoryNames(input.target), ...(os ? [os.computerName.toLowerCase()] : [])];
  const members = [...got.v.rdu, ...got.v.admins];
  const evidence = {
    configuredUsers: users,
    remoteDesktopUsers: got.v.rdu.map((m) => m.name ?? m.sid),
    administrators: got.v.admins.map((m) => m.name ?? m.sid),
  };
  if (users.length === 0) {
    return f.unknown(`No RDP users are listed for ${input.target.id} in the inventory, so group membership was not checked.`, 'Add the accounts people connect as (DOMAIN\\user or SID) to the inventory\'s rdpUsers to have this checked.', evidence);
  }
  if (got.v.rdu.some((m) => BROAD.has(m.sid))) {
    return f.ok('Remote Desktop Users contains a group every signed-in user belongs to, so the configured users may log on over RDP.', 'Membership through a broad group (Authenticated Users / Everyone) covers every account.', evidence);
  }
  const missing = users.filter((u) => !members.some((m) => memberMatches(u, m, localNames)));
  if (missing.length === 0) {
    return f.ok(`${users.join(', ')} ${users.length > 1 ? 'are' : 'is'} allowed to log on over RDP (Remote Desktop Users or Administrators).`, 'Group membership lets the configured users sign in remotely.', evidence);
  }
  const nested = members.filter((m) => m.objectClass === 'Group');
  if (nested.length) {
    return f.warning({
      summary: `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not directly in Remote Desktop Users or Administrators; they may be members through ${nested.map((m) => m.name ?? m.sid).join(', ')}, which cannot be resolved here.`,
      explanation: 'Nested (domain) group membership cannot be expanded from the host\'s local group list. Check the user\'s groups in the directory; if they are not a member, add them to Remote Desktop Users.',
      evidence: { ...evidence, missing },
    });
  }
  return f.problem({
    summary: `${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in Remote Desktop Users or Administrators, so Windows refuses ${missing.length > 1 ? 'their' : 'the'} RDP logon ("To sign in remotely, you need the right to sign in through Remote Desktop Services").`,
    explanation: 'Only members of Remote Desktop Users (S-1-5-32-555) and Administrators may sign in over RDP. The fix adds the account to Remote Desktop Users: an access decision for the approver; nobody is disconnected. If the group is managed by Group Policy (Restricted Groups), change the GPO instead.',
    evidence: { ...evidence, missing },
    // The fix adds the first account still missing: the same one named here.
    fix: proposeFix('add-rdp-user', got.facts, missing[0]),
  });
});
