// Approvals in Redis: create, then one-way transitions pending -> approved -> running -> done|failed,
// or pending -> rejected|expired. Policy decides first (who may approve or reject this risk class on
// this host; four-eyes, which compares people, not accounts); then a Lua script makes the transition
// atomically or says why not. The policy check may read the record outside the script because host,
// risk and requester never change.
import { randomBytes } from 'node:crypto';
import type { FixRisk } from '../../rdp/types.ts';
import { ChatUser } from '../../chat/model.ts';
import type { Decision } from '../../policy/decide.ts';
import { NO_CONFIRM } from '../durable.ts';
import type { ForeignRecordReporter } from '../record.ts';
import { runLua, type LuaScript, type Redis } from '../redis.ts';
import type { StoreOptions } from '../store-options.ts';
import { ApprovalRequest, ApprovalResult, fromHashFields, toHashFields, type ApprovalRecord } from './record.ts';
import { foreign, missing, refusal } from './reasons.ts';
import { APPROVE, CREATE, EXPIRE, FINISH, REJECT, START } from './scripts.ts';

export type Transition = { ok: true; record: ApprovalRecord } | { ok: false; reason: string; record: ApprovalRecord | null };

/** The policy decisions approvals need (a PolicyGate fits). */
export interface ApprovalPolicy {
  mayApprove(user: ChatUser, risk: FixRisk, requester: ChatUser, host?: string): Decision;
  mayReject(user: ChatUser, risk: FixRisk, requester: ChatUser, host?: string): Decision;
}

export interface ApprovalStoreOptions extends StoreOptions {
  policy: ApprovalPolicy;
  /** policy.approvalExpiryMinutes. */
  expiryMinutes: number;
  /** How long ended records stay readable. Default: 7 days. */
  retainMs?: number;
  /** Key prefix. Default: "rdp-medic". */
  prefix?: string;
  // confirm (StoreOptions): transitions are confirmed on a replica (one lost in a failover would
  // run a fix twice or never).
}

type Loaded = { status: string; nowMs: number; record: ApprovalRecord | null };

export const newApprovalId = (): string => `a_${randomBytes(9).toString('base64url')}`;

export class ApprovalStore {
  private readonly retainMs: number;
  private readonly prefix: string;
  private readonly report: ForeignRecordReporter;

  constructor(
    private readonly redis: Redis,
    private readonly opts: ApprovalStoreOptions,
  ) {
    this.retainMs = opts.retainMs ?? 7 * 24 * 3600_000;
    this.prefix = opts.prefix ?? 'rdp-medic';
    this.report = opts.report ?? (() => undefined);
  }

  private keys(id: string): [string, string] {
    return [`${this.prefix}:approval:${id}`, `${this.prefix}:approvals:pending`];
  }

  /** A hash this version cannot read is reported and comes back as status 'foreign', no record. */
  private decoded(id: string, status: string, nowMs: number, flat: string[]): Loaded {
    if (!flat.length) return { status, nowMs, record: null };
    const d = fromHashFields(flat);
    if (d.ok) return { status, nowMs, record: d.value };
    this.report({ store: 'approval', key: this.keys(id)[0], problem: d.problem });
    return { status: 'foreign', nowMs, record: null };
  }

  private async run(script: LuaScript, id: string, args: string[]): Promise<Loaded> {
    const [status, now, flat] = (await runLua(this.redis, script, this.keys(id), [id, this.retainMs, ...args])) as [string, string, string[]];
    return this.decoded(id, status, Number(now), flat);
  }

  private async load(id: string): Promise<Loaded> {
    const flat = Object.entries(await this.redis.hgetall(this.keys(id)[0])).flat();
    return this.decoded(id, 'ok', Date.now(), flat);
  }

  private async transition(script: LuaScript, id: string, args: string[]): Promise<Transition> {
    // Confirmed on a replica. A re-run (the first attempt's write may be lost in a failover) that
    // finds the state its own first attempt made is that success, not a refusal.
    let first: { record: ApprovalRecord } | null = null;
    const { status, nowMs, record } = await (this.opts.confirm ?? NO_CONFIRM).durably(async () => {
      const r = await this.run(script, id, args);
      if (r.status === 'ok' && r.record) first ??= { record: r.record };
      else if (first && r.record?.state === first.record.state) return { ...r, status: 'ok', record: first.record };
      return r;
    });
    if (status === 'ok' && record) return { ok: true, record };
    if (!record) return { ok: false, reason: status === 'foreign' ? foreign(id) : missing(id), record: null };
    return { ok: false, reason: refusal(record, nowMs), record };
  }

  async create(request: ApprovalRequest): Promise<ApprovalRecord> {
    const req = ApprovalRequest.parse(request);
    const id = newApprovalId();
    const ttlMs = this.opts.expiryMinutes * 60_000;
    // A re-run finds the record its first attempt created ("exists"): that is the creation.
    const { status, record } = await (this.opts.confirm ?? NO_CONFIRM).durably(() => this.run(CREATE, id, [String(ttlMs), ...toHashFields(req)]));
    if ((status !== 'ok' && status !== 'exists') || !record) throw new Error(`approval ${id} could not be created (${status})`);
    return record;
  }

  /** The record, or null when there is none or another version wrote it (reported). */
  async get(id: string): Promise<ApprovalRecord | null> {
    return (await this.load(id)).record;
  }

  /** Policy first (role for the risk class on the host, four-eyes by person), then pending -> approved if not expired. */
  async approve(id: string, approver: ChatUser): Promise<Transition> {
    return this.decide(id, ChatUser.parse(approver), 'approve', APPROVE);
  }

  /** The requester may withdraw; otherwise an approver of the class. pending -> rejected. */
  async reject(id: string, by: ChatUser): Promise<Transition> {
    return this.decide(id, ChatUser.parse(by), 'reject', REJECT);
  }

  private async decide(id: string, user: ChatUser, action: 'approve' | 'reject', script: LuaScript): Promise<Transition> {
    const { status, record: current } = await this.load(id);
    if (!current) return { ok: false, reason: status === 'foreign' ? foreign(id) : missing(id), record: null };
    const { policy } = this.opts;
    const decision = action === 'approve' ? policy.mayApprove(user, current.risk, current.requester, current.host) : policy.mayReject(user, current.risk, current.requester, current.host);
    if (!decision.allowed) return { ok: false, reason: decision.reason, record: current };
    return this.transition(script, id, [JSON.stringify(user)]);
  }

  /**
   * approved -> running, exactly once: call it before applying; apply only on ok. A refusal whose
   * record is `running` with your own runner id means a previous attempt of this job started it.
   */
  async start(id: string, runner: string): Promise<Transition> {
    return this.transition(START, id, [runner]);
  }

  /** running -> done | failed, with what happened. */
  async finish(id: string, outcome: 'done' | 'failed', result: ApprovalResult): Promise<Transition> {
    return this.transition(FINISH, id, [outcome, JSON.stringify(ApprovalResult.parse(result))]);
  }

  /** Marks every pending approval past its expiry as expired; returns the ones this call expired. */
  async expireDue(): Promise<ApprovalRecord[]> {
    const [, index] = this.keys('');
    // Candidates by the server's clock; the script re-checks each one atomically.
    const [seconds, micros] = await this.redis.time();
    const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    const ids = await this.redis.zrangebyscore(index, '-inf', nowMs);
    const expired: ApprovalRecord[] = [];
    for (const id of ids) {
      const { status, record } = await this.run(EXPIRE, id, []);
      if (status === 'ok' && record) expired.push(record);
      else if (status === 'missing') await this.redis.zrem(index, id);
      // 'foreign': reported; left for the version that wrote it (its own expiry sweep moves it).
    }
    return expired;
  }
}
