// The bot's policy: roles from identities, decisions in plain words, and the per-user rate limit.
export { identitiesOf, mention, rolesOf, sameUser } from './roles.ts';
export { authorize } from './authorize.ts';
export { mayApprove, mayCheck, mayReject, mayRequestFix, policyGate, type Decision, type PolicyGate } from './decide.ts';
export { rateKey, takeCommand, type RateDecision } from './rate-limit.ts';
