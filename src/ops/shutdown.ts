// Graceful stop for the bot and worker processes. On SIGTERM (docker stop, Kubernetes) or SIGINT
// (Ctrl-C) the steps run in order (stop taking work, finish or hand back jobs, close queues and
// Redis, close the ops server), each logged and time-boxed, and the process exits 0, or 1 if a step
// failed or timed out or the whole stop took longer than timeoutMs (default 20 s; Docker kills after
// 10 s unless told otherwise, so docker-compose.yml sets stop_grace_period: 30s). A second signal exits at
// once with 1: the operator asked twice. shutdown(reason) runs the same sequence programmatically
// (end of the demo's input, tests); with exit: false it resolves with the result instead of exiting.
import type { Logger } from './logger.ts';

export interface ShutdownStep {
  name: string;
  run: () => Promise<void>;
}

export interface ShutdownOptions {
  /** The whole sequence's budget; steps still pending after it are skipped. Default 20 s. */
  timeoutMs?: number;
  /** Each step's budget (never more than what is left of timeoutMs). Default: timeoutMs. */
  stepTimeoutMs?: number;
  /** Default SIGTERM and SIGINT; [] installs no handlers (programmatic use only). */
  signals?: NodeJS.Signals[];
  /** Call process.exit at the end (default true). */
  exit?: boolean;
}

export interface ShutdownResult {
  ok: boolean;
  code: 0 | 1;
  reason: string;
}

export type Shutdown = (reason: string) => Promise<ShutdownResult>;

class StepTimeout extends Error {}

function timeBoxed(run: () => Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve().then(run),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StepTimeout(`did not finish within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** pino writes synchronously to stdout by default (src/ops/logger.ts); flush covers async destinations. */
function flush(logger: Logger): Promise<void> {
  return new Promise((done) => {
    try {
      logger.flush(() => done());
    } catch {
      done();
    }
  });
}

export function onShutdown(logger: Logger, steps: ShutdownStep[], opts: ShutdownOptions = {}): Shutdown {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const stepTimeoutMs = opts.stepTimeoutMs ?? timeoutMs;
  const signals = opts.signals ?? ['SIGTERM', 'SIGINT'];
  const exit = opts.exit ?? true;
  let running: Promise<ShutdownResult> | null = null;

  async function sequence(reason: string): Promise<ShutdownResult> {
    const started = Date.now();
    const deadline = started + timeoutMs;
    let ok = true;
    logger.info({ reason, steps: steps.map((s) => s.name), timeoutMs }, 'shutdown: starting');
    for (const step of steps) {
      const left = deadline - Date.now();
      if (left <= 0) {
        ok = false;
        logger.error({ step: step.name }, `shutdown: ${step.name} skipped, out of time`);
        continue;
      }
      const t0 = Date.now();
      try {
        await timeBoxed(step.run, Math.min(stepTimeoutMs, left));
        logger.info({ step: step.name, ms: Date.now() - t0 }, `shutdown: ${step.name} done`);
      } catch (err) {
        ok = false;
        if (err instanceof StepTimeout) logger.error({ step: step.name, ms: Date.now() - t0 }, `shutdown: ${step.name} ${err.message}`);
        else logger.error({ step: step.name, err }, `shutdown: ${step.name} failed`);
      }
    }
    const ms = Date.now() - started;
    if (ms > timeoutMs) ok = false;
    const result: ShutdownResult = { ok, code: ok ? 0 : 1, reason };
    logger[ok ? 'info' : 'error']({ reason, ms, code: result.code }, ok ? 'shutdown: complete' : 'shutdown: finished with errors');
    return result;
  }

  const onSignal = (signal: NodeJS.Signals): void => {
    if (running) {
      logger.error({ signal }, `shutdown: second ${signal}, exiting now`);
      if (exit) void flush(logger).then(() => process.exit(1));
      return;
    }
    void shutdown(signal);
  };
  for (const s of signals) process.on(s, onSignal);

  const shutdown: Shutdown = (reason) => {
    running ??= sequence(reason).then(async (result) => {
      if (exit) {
        await flush(logger);
        process.exit(result.code);
      }
      // Without exit the process lives on (tests, embedding): give the signals back.
      for (const s of signals) process.off(s, onSignal);
      return result;
    });
    return running;
  };
  return shutdown;
}
