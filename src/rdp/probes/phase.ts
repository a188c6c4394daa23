// One probe phase = wait for an event, a deadline or an abort, whichever comes first, and always unhook.
// Probes never throw, so every outcome (including timeout and abort) is a value.
import { performance } from 'node:perf_hooks';

export interface PhaseOptions<T> {
  timeoutMs: number;
  signal?: AbortSignal | undefined;
  timeout: () => T;
  aborted: () => T;
}

/**
 * `start` hooks its listeners, calls `done` with the phase's outcome, and returns the function that unhooks them.
 * The first of done / timeout / abort wins; later ones are ignored.
 */
export function runPhase<T>(opts: PhaseOptions<T>, start: (done: (value: T) => void) => () => void): Promise<T> {
  return new Promise<T>((resolve) => {
    let finished = false;
    let unhook: (() => void) | undefined;
    const finish = (value: T): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      unhook?.();
      resolve(value);
    };
    const onAbort = (): void => finish(opts.aborted());
    const timer = setTimeout(() => finish(opts.timeout()), Math.max(0, opts.timeoutMs));
    if (opts.signal?.aborted) {
      finish(opts.aborted());
      return;
    }
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const off = start(finish);
    // start() may have settled synchronously; then unhook right away.
    if (finished) off();
    else unhook = off;
  });
}

/** Milliseconds since `since` (performance.now()), rounded to 0.01 ms. */
export function elapsedMs(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}

export function now(): number {
  return performance.now();
}

export const noop = (): void => {};
