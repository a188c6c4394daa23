// Matching the configured RDP users (DOMAIN\user, .\user, user, user@domain or a SID) against
// group members as the host reports them (SID always, translated name for display).
import type { GroupMember } from '../../../host/operations.ts';

const SID_RE = /^S-1-\d+(-\d+)*$/i;

/** DOMAIN\USER upper case, local names qualified with the computer name. */
export function qualifiedName(account: string, computerName: string): string {
  const a = account.trim();
  let domain: string | null = null;
  let user = a;
  if (a.includes('\\')) [domain, user] = a.split('\\', 2) as [string, string];
  else if (a.includes('@')) [user, domain] = a.split('@', 2) as [string, string];
  const d = (domain ?? '').split('.')[0]?.toUpperCase() ?? '';
  const local = domain === null || domain === '.' || d === computerName.toUpperCase();
  return `${local ? computerName.toUpperCase() : d}\\${user.toUpperCase()}`;
}

export function isMember(account: string, members: GroupMember[], computerName: string): boolean {
  if (SID_RE.test(account.trim())) return members.some((m) => m.sid.toUpperCase() === account.trim().toUpperCase());
  const want = qualifiedName(account, computerName);
  return members.some((m) => m.name !== null && qualifiedName(m.name, computerName) === want);
}
