// What an approval card shows: a view of the approval record (state/approvals owns the record itself).
import type { FixImpact, FixRisk } from '../rdp/types.ts';
import type { ChatUser } from '../chat/model.ts';

export interface ApprovalView {
  id: string;
  host: string;
  fixId: string;
  title: string;
  risk: FixRisk;
  impact: FixImpact;
  /** One line per write the plan makes, in plain words ("Set RDP-Tcp SecurityLayer from 0 to 2"). */
  planSummary: string[];
  requester: ChatUser;
  /** ISO time. */
  expiresAt: string;
  /** Who to ping ("@rdp-oncall", or the platform's own mention syntax). */
  onCallMention?: string;
  /** The plan's time box; when absent it is looked up by fix id. */
  timeBoxMinutes?: number | null;
}

/** Every approval state but pending (state/approvals/record.ts APPROVAL_STATES). */
export type DecidedState = 'approved' | 'rejected' | 'expired' | 'running' | 'done' | 'failed';

export interface ApprovalDecision {
  state: DecidedState;
  by?: ChatUser;
  /** ISO time of the decision or transition. */
  at: string;
  reason?: string;
}
