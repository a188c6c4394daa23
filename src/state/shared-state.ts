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
import type { WriteConfirmer } from './durable.ts';
import type { ForeignRecordReporter } from './record.ts';
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

export interface StateOptions {
  /** Where records this version cannot read (another version wrote them) are reported. */
  report?: ForeignRecordReporter;
  /** How writes that must survive a failover are confirmed (processes/redis.ts). Default: not. */
  confirm?: WriteConfirmer;
}

export function openState(redis: Redis, config: Config, opts: StateOptions = {}): SharedState {
  const prefix = config.redis.prefix;
  // The inventory's groups and tags: role scopes are decided over them.
  const policy = policyGate(config.policy, config.hosts);
  const { report, confirm } = opts;
  const store = { ...(report ? { report } : {}), ...(confirm ? { confirm } : {}) };
  const undo = new RedisUndoStore(redis, prefix, store);
  return {
    prefix,
    policy,
    conversations: new ConversationStore(redis, prefix, store),
    approvals: new ApprovalStore(redis, { policy, expiryMinutes: config.policy.approvalExpiryMinutes, prefix, ...store }),
    plans: new ApprovalPlans(redis, prefix),
    diagnoses: new DiagnosisStore(redis, prefix, store),
    audit: new AuditLog(redis, { prefix, ...store }),
    join: new DiagnosisJoin(redis, prefix, store),
    locks: new FixLock(redis, prefix, store),
    undo,
    journal: new JournalStore(redis, prefix, undo, store),
  };
}
