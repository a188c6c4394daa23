// Who may do what: roles from identities, and decisions in plain words (pure, over the config).
export { identitiesOf, mention, rolesOf, sameUser } from './roles.ts';
export { mayApprove, mayCheck, mayReject, mayRequestFix, policyGate, type Decision, type PolicyGate } from './decide.ts';
