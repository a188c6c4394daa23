// Card builders: the doctor's domain (diagnoses, fixes, approvals) as platform-neutral Cards.
export * from './action-ids.ts';
export { approvalDecided, decisionLine } from './approval-decided.ts';
export { approvalRequest, MAX_PLAN_LINES } from './approval-request.ts';
export type { ApprovalDecision, DecidedState, ApprovalView } from './approval-types.ts';
export { diagnosisDetails, MAX_UNKNOWN_LINES, POLICY_NOTE } from './diagnosis-details.ts';
export { diagnosisNotification, diagnosisRoot, findingCounts } from './diagnosis-root.ts';
export { rootAfterChange, type RootChange } from './root-after-change.ts';
export { error } from './error.ts';
export { EVIDENCE_MAX_CHARS, evidenceText } from './evidence.ts';
export { fixResult, undoAction } from './fix-result.ts';
export { fleetSummary, type FleetHostResult, type FleetSummaryOptions } from './fleet-summary.ts';
export { help, type SubcommandHelp } from './help.ts';
export { historyCard, MAX_HISTORY_LINES, type HistoryEntry } from './history.ts';
export { hostsList, MAX_HOST_LINES, type InventoryEntry } from './hosts-list.ts';
export { planScriptCard } from './plan-script.ts';
export { refused } from './refused.ts';
export { requestAccepted, type FleetTarget } from './request-accepted.ts';
export { undoResult } from './undo-result.ts';
