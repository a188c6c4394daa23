// Where a local group member comes from, when Get-LocalGroupMember could not say (2012 R2, orphaned
// SIDs, a failing call): judged from the SID's shape. Pure string work, so it lives here, not on the host.
import { z } from 'zod';

export const PrincipalSource = z.enum(['Local', 'ActiveDirectory', 'AzureAD', 'MicrosoftAccount', 'Unknown']);
export const GroupMember = z.object({
  sid: z.string(),
  name: z.string().nullable(), // translated; display only
  objectClass: z.enum(['User', 'Group', 'Unknown']),
  principalSource: PrincipalSource,
});
export type GroupMember = z.infer<typeof GroupMember>;

/**
 * group.members as the host reports it: PrincipalSource when Get-LocalGroupMember knew it, else null
 * (the SID heuristics that fill it in are TypeScript: principal-source.ts), and the machine's
 * account domain SID they need.
 */
export const HostGroupMembers = z.object({
  machineSid: z.string().nullable(),
  members: z.array(GroupMember.extend({ principalSource: PrincipalSource.nullable() })),
});

type Source = GroupMember['principalSource'];

export function principalSourceFromSid(sid: string, machineSid: string | null): Source {
  if (sid.startsWith('S-1-12-1-')) return 'AzureAD';
  if (sid.startsWith('S-1-11-96-')) return 'MicrosoftAccount';
  if (machineSid && sid.startsWith(`${machineSid}-`)) return 'Local';
  if (sid.startsWith('S-1-5-21-')) return 'ActiveDirectory';
  if (sid.startsWith('S-1-5-32-') || /^S-1-5-\d+$/.test(sid) || /^S-1-[0-3]-/.test(sid)) return 'Local';
  return 'Unknown';
}

export function withPrincipalSources(v: z.infer<typeof HostGroupMembers>): GroupMember[] {
  return v.members.map((m) => ({ ...m, principalSource: m.principalSource ?? principalSourceFromSid(m.sid, v.machineSid) }));
}
