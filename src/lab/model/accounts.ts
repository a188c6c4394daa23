// Account name <-> SID resolution for group membership. Local accounts come from the model;
// names in other domains get a made-up but stable SID (hash of domain and name), so a fix that
// adds "CONTOSO\alice" always refers to the same principal.
import { createHash } from 'node:crypto';
import type { GroupMember } from '../../host/operations.ts';
import type { HostModel } from './host-model.ts';

export const SID = {
  everyone: 'S-1-1-0',
  system: 'S-1-5-18',
  localService: 'S-1-5-19',
  networkService: 'S-1-5-20',
  administrators: 'S-1-5-32-544',
  users: 'S-1-5-32-545',
  remoteDesktopUsers: 'S-1-5-32-555',
} as const;

const WELL_KNOWN: Record<string, string> = {
  'S-1-1-0': 'Everyone',
  'S-1-5-4': 'NT AUTHORITY\\INTERACTIVE',
  'S-1-5-11': 'NT AUTHORITY\\Authenticated Users',
  'S-1-5-18': 'NT AUTHORITY\\SYSTEM',
  'S-1-5-19': 'NT AUTHORITY\\LOCAL SERVICE',
  'S-1-5-20': 'NT AUTHORITY\\NETWORK SERVICE',
  'S-1-5-113': 'NT AUTHORITY\\Local account',
  'S-1-5-114': 'NT AUTHORITY\\Local account and member of Administrators group',
  'S-1-5-32-544': 'BUILTIN\\Administrators',
  'S-1-5-32-545': 'BUILTIN\\Users',
  'S-1-5-32-555': 'BUILTIN\\Remote Desktop Users',
};

function hashNumbers(text: string, count: number): number[] {
  const h = createHash('sha256').update(text.toLowerCase()).digest();
  return Array.from({ length: count }, (_, i) => h.readUInt32BE(i * 4));
}

/** The machine SID (S-1-5-21-a-b-c), stable for a computer name. */
export function machineSidFor(computerName: string): string {
  return `S-1-5-21-${hashNumbers('machine:' + computerName, 3).join('-')}`;
}

/** A stable SID for an account in a domain the model does not know. */
export function madeUpSid(domain: string, name: string): string {
  const [a = 0, b = 0, c = 0] = hashNumbers('domain:' + domain, 3);
  const [r = 0] = hashNumbers(`account:${domain}\\${name}`, 1);
  return `S-1-5-21-${a}-${b}-${c}-${1100 + (r % 100000)}`;
}

export const isSid = (s: string): boolean => /^S-1-\d+(-\d+)*$/i.test(s.trim());

/** Resolves a SID or DOMAIN\name (or name, or name@domain) to a member record; null when a local name is unknown. */
export function resolveMember(model: HostModel, member: string): GroupMember | null {
  const m = member.trim();
  if (isSid(m)) return describeSid(model, m.toUpperCase());
  let domain: string | null = null;
  let name = m;
  if (m.includes('\\')) [domain, name] = m.split('\\', 2) as [string, string];
  else if (m.includes('@')) [name, domain] = m.split('@', 2) as [string, string];
  const local = domain === null || domain === '.' || domain.toUpperCase() === model.computerName || domain.split('.')[0]?.toUpperCase() === model.computerName;
  if (local) {
    const user = model.users[name.toLowerCase()];
    if (user) return { sid: user.sid, name: `${model.computerName}\\${user.name}`, objectClass: 'User', principalSource: 'Local' };
    const group = Object.values(model.groups).find((g) => g.name.toLowerCase() === name.toLowerCase());
    if (group) return { sid: group.sid, name: `BUILTIN\\${group.name}`, objectClass: 'Group', principalSource: 'Local' };
  }
  const known = Object.entries(WELL_KNOWN).find(([, n]) => n.toLowerCase() === m.toLowerCase() || (domain === null && n.split('\\').pop()?.toLowerCase() === name.toLowerCase()));
  if (known) return describeSid(model, known[0]);
  if (local) return null;
  const d = domain ?? '';
  return { sid: madeUpSid(d, name), name: `${d.split('.')[0]?.toUpperCase()}\\${name}`, objectClass: 'User', principalSource: 'ActiveDirectory' };
}

export function describeSid(model: HostModel, sid: string): GroupMember {
  const user = Object.values(model.users).find((u) => u.sid === sid);
  if (user) return { sid, name: `${model.computerName}\\${user.name}`, objectClass: 'User', principalSource: 'Local' };
  const group = model.groups[sid];
  if (group) return { sid, name: `BUILTIN\\${group.name}`, objectClass: 'Group', principalSource: 'Local' };
  const wk = WELL_KNOWN[sid];
  if (wk) return { sid, name: wk, objectClass: 'Group', principalSource: 'Local' };
  // An orphaned or foreign SID: what Get-LocalGroupMember cannot translate.
  return { sid, name: null, objectClass: 'Unknown', principalSource: sid.startsWith('S-1-5-21-') && !sid.startsWith(model.machineSid + '-') ? 'ActiveDirectory' : 'Unknown' };
}
