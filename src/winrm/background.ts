// Cleanup that runs off the caller's critical path (Signal, Delete). Every task is tracked so close()
// can wait for all of them; a failure is logged as a warning and never reaches (or masks) a caller.
import type { WinrmLogger } from './types.ts';

export class BackgroundWork {
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: WinrmLogger | undefined, private readonly host: string) {}

  /** Starts `task` now; returns a promise that settles when it is done and never rejects. */
  run(what: string, task: () => Promise<void>): Promise<void> {
    const done: Promise<void> = task()
      .catch((error: unknown) => {
        const err = error instanceof Error ? { name: error.name, message: error.message } : { message: String(error) };
        const step = typeof error === 'object' && error !== null && 'step' in error ? error.step : undefined;
        this.logger?.warn({ host: this.host, cleanup: what, step, err }, `WinRM cleanup (${what}) on ${this.host} failed`);
      })
      .finally(() => this.pending.delete(done));
    this.pending.add(done);
    return done;
  }

  get size(): number {
    return this.pending.size;
  }

  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
