// Who may do what: roles from identities, people from accounts, role scopes over the inventory, and
// decisions in plain words (pure, over the config).
export { accountOf, covers, identitiesOf, mention, personOf, rolesOf, samePerson, sameUser, type HostIndex, type HostLabels } from './roles.ts';
export { mayApprove, mayCheck, mayReject, mayRequestFix, noneInScope, policyGate, type Decision, type PolicyGate } from './decide.ts';
