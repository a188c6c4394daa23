// The one policy decision for everything a person asks, typed or clicked: which permission a
// parsed command needs, on which host (role scopes). Approving and rejecting depend on the
// approval's risk class, host and requester, so ApprovalStore makes that decision with the same gate
// when it has the record.
import type { ParsedCommand } from '../grammar/types.ts';
import type { ChatUser } from '../../chat/model.ts';
import type { Decision, PolicyGate } from '../../policy/decide.ts';

/** `host`: the host the command is about when the command itself does not name it (an approval's host for `plan`). */
export function authorize(gate: PolicyGate, command: ParsedCommand, user: ChatUser, host: string | null = null): Decision {
  switch (command.kind) {
    case 'help':
    case 'approve':
    case 'reject':
      return { allowed: true };
    case 'fix':
    case 'undo':
      // An undo is a fix: requesting it takes the request right; running it takes an approval.
      return gate.mayRequestFix(user, command.host);
    case 'check': {
      // A group or tag was expanded to the hosts this user may check: none of them is a refusal.
      if (command.hosts.length === 0) return gate.noneInScope(user, `${command.target.by}:${command.target.name}`, command.outside ?? 0);
      const outOfScope = command.hosts.find((h) => !gate.mayCheck(user, h).allowed);
      return outOfScope === undefined ? { allowed: true } : gate.mayCheck(user, outOfScope);
    }
    case 'status':
    case 'history':
    case 'evidence':
      // The evidence export shows what a check shows, whole: the same right on the same host.
      return gate.mayCheck(user, command.host);
    case 'plan':
      return gate.mayCheck(user, host ?? undefined);
    case 'hosts':
    case 'details':
      // Both show only the hosts this user may check (info.ts, dispatch.ts).
      return gate.mayCheck(user);
  }
}
