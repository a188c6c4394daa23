// The one policy decision for everything a person asks, typed or clicked: which permission a
// parsed command needs. Approving and rejecting depend on the approval's risk class and requester,
// so ApprovalStore makes that decision with the same gate when it has the record.
import type { ParsedCommand } from '../grammar/types.ts';
import type { ChatUser } from '../../chat/model.ts';
import type { Decision, PolicyGate } from '../../policy/decide.ts';

export function authorize(gate: PolicyGate, command: ParsedCommand, user: ChatUser): Decision {
  switch (command.kind) {
    case 'help':
    case 'approve':
    case 'reject':
      return { allowed: true };
    case 'fix':
    case 'undo':
      // An undo is a fix: requesting it takes the request right; running it takes an approval.
      return gate.mayRequestFix(user);
    case 'check':
    case 'status':
    case 'history':
    case 'hosts':
    case 'plan':
    case 'details':
      return gate.mayCheck(user);
  }
}
