// user-not-allowed: the configured RDP user is not in Remote Desktop Users (S-1-5-32-555) nor in
// Administrators. Cured by group.add groupSid S-1-5-32-555 member <HOST>\<rdpuser> (or its SID).
import { SID } from '../model/accounts.ts';
import type { Scenario } from './types.ts';

export const userNotAllowed: Scenario = {
  name: 'user-not-allowed',
  description: 'The RDP user is not a member of Remote Desktop Users.',
  cause: ['authz-rdp-users'],
  fix: 'group.add groupSid S-1-5-32-555 member <HOST>\\<rdpuser>',
  apply: (m) => {
    const rdu = m.groups[SID.remoteDesktopUsers];
    if (rdu) rdu.members = rdu.members.filter((x) => x.principalSource !== 'Local' || x.objectClass !== 'User');
  },
};
