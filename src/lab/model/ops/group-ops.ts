// group.members, group.add, group.remove over local groups identified by SID. Members are given
// as a SID or an account name (resolveMember); adding a member twice or removing a non-member is
// a no-op success reported through wasMember, so fixes are idempotent. `value` is the new state in
// the same shape ({ wasMember } after the call), as the runtime returns it.
import { resolveMember } from '../accounts.ts';
import type { HostModel, LocalGroup } from '../host-model.ts';
import { fail, ok, type OpContext, type OpOf, type OpOutcome } from './types.ts';

function group(model: HostModel, sid: string): LocalGroup | undefined {
  return model.groups[sid.trim().toUpperCase()];
}

const noGroup = (sid: string): OpOutcome => fail('NotFound', `Group ${sid} was not found.`);

export function groupMembers({ model }: OpContext, op: OpOf<'group.members'>): OpOutcome {
  const g = group(model, op.sid);
  // HostGroupMembers: the machine SID lets TypeScript judge a member's source from its SID when the
  // host cannot say (principal-source.ts); the model knows every member's source.
  return g ? ok({ machineSid: model.machineSid, members: structuredClone(g.members) }) : noGroup(op.sid);
}

export function groupAdd({ model }: OpContext, op: OpOf<'group.add'>): OpOutcome {
  const g = group(model, op.groupSid);
  if (!g) return noGroup(op.groupSid);
  const member = resolveMember(model, op.member);
  if (!member) return fail('NotFound', `Principal ${op.member} was not found.`);
  const wasMember = g.members.some((m) => m.sid === member.sid);
  if (!wasMember) g.members.push(member);
  return ok({ wasMember: true }, { wasMember });
}

export function groupRemove({ model }: OpContext, op: OpOf<'group.remove'>): OpOutcome {
  const g = group(model, op.groupSid);
  if (!g) return noGroup(op.groupSid);
  const member = resolveMember(model, op.member);
  if (!member) return fail('NotFound', `Principal ${op.member} was not found.`);
  const wasMember = g.members.some((m) => m.sid === member.sid);
  g.members = g.members.filter((m) => m.sid !== member.sid);
  return ok({ wasMember: false }, { wasMember });
}
