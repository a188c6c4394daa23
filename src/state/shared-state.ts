// Everything bot and workers share in Redis, opened in one place with one key prefix.
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.ts';
import { ApprovalStore } from './approvals/index.ts';
import { ApprovalPlans } from './approvals/plans.ts';
import { AuditLog } from './audit/index.ts';
import { ConversationStore } from './conversations.ts';
import { DiagnosisStore } from './diagnoses.ts';
import { policyGate, type PolicyGate } from '../policy/index.ts';
import { DiagnosisJoin } from './diagnosis-join.ts';
import { FixLock } from './fix-lock.ts';
import { JournalStore } from './journal.ts';
import { RedisUndoStore } from './undo-store-redis.ts';

export interface SharedState {
  prefix: string;
  policy: PolicyGate;
  conversations: ConversationStore;
  approvals: ApprovalStore;
  plans: ApprovalPlans;
  diagnoses: DiagnosisStore;
  audit: AuditLog;
  join: DiagnosisJoin;
  locks: FixLock;
  undo: RedisUndoStore;
  /** The step journals of fixes (one per approval). */
  journal: JournalStore;
}

export function openState(redis: Redis, config: Config): SharedState {
  const prefix = config.redis.prefix;
  const policy = policyGate(config.policy);
  const undo = new RedisUndoStore(redis, prefix);
  return {
    prefix,
    policy,
    conversations: new ConversationStore(redis, prefix),
    approvals: new ApprovalStore(redis, { policy, expiryMinutes: config.policy.approvalExpiryMinutes, prefix }),
    plans: new ApprovalPlans(redis, prefix),
    diagnoses: new DiagnosisStore(redis, prefix),
    audit: new AuditLog(redis, { prefix }),
    join: new DiagnosisJoin(redis, prefix),
    locks: new FixLock(redis, prefix),
    undo,
    journal: new JournalStore(redis, prefix, undo),
  };
}
