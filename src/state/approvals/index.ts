// Approvals: records in Redis with atomic one-way transitions (design.md §3.4).
export { APPROVAL_STATES, ApprovalId, ApprovalRecord, ApprovalRequest, ApprovalResult, ApprovalState } from './record.ts';
export { ago, refusal } from './reasons.ts';
export { ApprovalStore, newApprovalId, type ApprovalPolicy, type ApprovalStoreOptions, type Transition } from './store.ts';
