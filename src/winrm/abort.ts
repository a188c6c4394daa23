// The whole-command deadline and the caller's AbortSignal, combined into one signal. Our own timer
// (not AbortSignal.timeout) so it is cleared when the command ends and leaves no handle behind.
import { WinrmAbortError, WinrmTimeoutError } from './errors.ts';
import type { WinrmError } from './errors.ts';
import type { RequestContext } from './types.ts';

/** The abort reason of our deadline timer, to tell it apart from the caller's abort. */
export class DeadlineExceeded extends Error {}

export interface Deadline {
  signal: AbortSignal;
  ms: number;
  dispose(): void;
}

export function startDeadline(ms: number, callerSignal: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineExceeded(`deadline of ${ms} ms exceeded`)), ms);
  const signal = callerSignal === undefined ? controller.signal : AbortSignal.any([controller.signal, callerSignal]);
  return { signal, ms, dispose: () => clearTimeout(timer) };
}

/** The error for a request cut short by ctx.signal. */
export function abortError(ctx: RequestContext, host: string): WinrmError {
  const reason: unknown = ctx.signal?.reason;
  if (reason instanceof DeadlineExceeded) {
    const ms = ctx.deadlineMs ?? 0;
    return new WinrmTimeoutError(`WinRM command on ${host} exceeded its deadline of ${ms} ms during ${ctx.step}.`, host, ctx.step, 'deadline', ms);
  }
  return new WinrmAbortError(`WinRM ${ctx.step} to ${host} was aborted by the caller.`, host, ctx.step);
}
