// What an approval card shows, from the record and the plan it was created for.
import type { ApprovalView } from './approval-types.ts';
import { describePlan } from '../rdp/fixes/describe-plan.ts';
import type { FixPlan } from '../rdp/types.ts';
import type { ApprovalRecord } from '../state/approvals/record.ts';

export function approvalView(record: ApprovalRecord, plan: FixPlan | null): ApprovalView {
  return {
    id: record.id,
    host: record.host,
    fixId: record.fixId,
    title: plan?.title ?? record.fixId,
    risk: record.risk,
    impact: plan?.impact ?? { disruptive: record.risk === 'disruptive', weakensSecurity: record.risk === 'weakens-security', drops: [], summary: '' },
    planSummary: plan ? describePlan(plan.apply) : [],
    requester: record.requester,
    expiresAt: record.expiresAt,
    timeBoxMinutes: plan?.timeBoxMinutes ?? null,
  };
}
