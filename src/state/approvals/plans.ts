// The plan an approval was created for, kept beside the approval record for the "Show plan"
// button and the approval card (the record holds only its hash). The worker never applies this
// copy: it rebuilds the plan from fresh facts and refuses when the hash differs.
import type { Redis } from 'ioredis';
import type { FixPlan } from '../../rdp/types.ts';

const KEEP_MS = 8 * 24 * 3600_000;

export class ApprovalPlans {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key = (approvalId: string): string => `${this.prefix}:approval-plan:${approvalId}`;

  async save(approvalId: string, plan: FixPlan): Promise<void> {
    await this.redis.set(this.key(approvalId), JSON.stringify(plan), 'PX', KEEP_MS);
  }

  async get(approvalId: string): Promise<FixPlan | null> {
    const raw = await this.redis.get(this.key(approvalId));
    return raw ? (JSON.parse(raw) as FixPlan) : null;
  }
}
