// add-rdp-user (authz-rdp-users): add the first configured RDP user who is neither in Remote
// Desktop Users nor in Administrators (direct members; nested groups are the check's business) to
// Remote Desktop Users (S-1-5-32-555). One account per fix: each is an access decision.
import { ADMINISTRATORS_SID, computerName, fact, need, RDU_SID } from './lib/facts.ts';
import { isMember } from './lib/accounts.ts';
import { defineFix, makeFixPlan, notApplicable } from './lib/plan.ts';

export const addRdpUser = defineFix('add-rdp-user', (ctx) => {
  if (!ctx.target.rdpUsers.length) return notApplicable(`no RDP users are configured for ${ctx.target.id} (rdpUsers)`);
  const rdu = need(fact(ctx.facts.remoteDesktopUsers, `the Remote Desktop Users group (${RDU_SID})`));
  const admins = need(fact(ctx.facts.administrators, `the Administrators group (${ADMINISTRATORS_SID})`));
  const cn = computerName(ctx.facts);
  const user = ctx.target.rdpUsers.find((u) => !isMember(u, rdu, cn) && !isMember(u, admins, cn));
  if (!user) return notApplicable(`${ctx.target.rdpUsers.join(', ')} ${ctx.target.rdpUsers.length > 1 ? 'are' : 'is'} already in Remote Desktop Users or Administrators`);
  return makeFixPlan('add-rdp-user', ctx, {
    ops: [{ id: 'add-rdp-user', op: 'group.add', groupSid: RDU_SID, member: user }],
    recheck: ['authz-rdp-users'],
    expectRdpTls: false,
    account: user,
  });
});
