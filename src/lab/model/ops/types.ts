// What every op implementation receives and returns. Ops mutate the model in place and only on
// success: a refused compare-and-set or an error leaves the model untouched.
import type { Operation, OpError, OpErrorCode } from '../../../host/operations.ts';
import type { HostModel } from '../host-model.ts';

export interface OpContext {
  model: HostModel;
  now: Date;
}

export type OpOutcome = { ok: true; value: unknown; previous?: unknown } | { ok: false; error: OpError };

export type OpOf<K extends Operation['op']> = Extract<Operation, { op: K }>;

export const ok = (value: unknown, previous?: unknown): OpOutcome => (previous === undefined ? { ok: true, value } : { ok: true, value, previous });

export const fail = (code: OpErrorCode, message: string, current?: unknown): OpOutcome => ({
  ok: false,
  error: current === undefined ? { code, message } : { code, message, current },
});

export const preconditionFailed = (what: string, current: unknown): OpOutcome =>
  fail('PreconditionFailed', `${what} changed since the plan was made; nothing was changed`, current);
