// Prometheus metrics of one bot or worker process, served by src/ops/http.ts at /metrics.
// Every name starts with rdp_medic_; every series carries process="bot"|"worker" (a default label),
// so one dashboard tells the two apart. Job counts are read from the queues at scrape time through
// a collector the process registers (setJobCountsCollector), time-boxed so a slow Redis cannot hang
// a scrape: on failure the gauge is left empty and rdp_medic_job_counts_errors_total counts it.
// The bot's dead-letter list (deliveries given up on) is read the same way (setDeadLettersCollector).
import { withTimeout } from '../lib/with-timeout.ts';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const PREFIX = 'rdp_medic_';

export const COMMAND_OUTCOMES = ['accepted', 'refused', 'invalid', 'rate-limited'] as const;
export const JOB_STATES = ['waiting', 'active', 'delayed', 'failed', 'completed'] as const;
export const APPROVAL_TRANSITIONS = ['created', 'approved', 'rejected', 'expired', 'started', 'done', 'failed', 'refused'] as const;
export const DELIVERY_OUTCOMES = ['delivered', 'retried', 'waited', 'failed'] as const;

export type JobState = (typeof JOB_STATES)[number];

/** Queue name -> state -> count, e.g. from BullMQ's queue.getJobCounts(...JOB_STATES). */
export type JobCounts = Record<string, Partial<Record<JobState, number>>>;
export type JobCountsCollector = () => Promise<JobCounts>;

/** 10 ms (a cached answer) to 120 s (a fix with a restart and an outside check). */
export const JOB_DURATION_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120];

export interface Metrics {
  registry: Registry;
  commands: Counter<'platform' | 'subcommand' | 'outcome'>;
  jobs: Gauge<'queue' | 'state'>;
  jobDuration: Histogram<'queue' | 'outcome'>;
  approvals: Counter<'transition'>;
  deliveries: Counter<'platform' | 'outcome'>;
  /** Entries in the dead-letter list, read at scrape time (bot only). */
  deadLetters: Gauge;
  /** Registers (or replaces) the function that reads job counts on each scrape. */
  setJobCountsCollector(fn: JobCountsCollector | null): void;
  /** Registers (or replaces) the function that counts the dead-letter list on each scrape. */
  setDeadLettersCollector(fn: (() => Promise<number>) | null): void;
}

export interface CreateMetricsOptions {
  /** How long a scrape waits for the job-count collector. Default 2 s. */
  collectTimeoutMs?: number;
}

export function createMetrics(processName: 'bot' | 'worker', opts: CreateMetricsOptions = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ process: processName });
  collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];
  const collectTimeoutMs = opts.collectTimeoutMs ?? 2_000;
  let collector: JobCountsCollector | null = null;

  // Reading the counts and counting failures happen in one scrape: the error counter's collect waits
  // for the jobs gauge's (registered first, so its collect has started by then).
  let inflight: Promise<void> = Promise.resolve();
  let failures = 0;

  const jobs: Gauge<'queue' | 'state'> = new Gauge({
    name: `${PREFIX}jobs`,
    help: 'Jobs per queue and state, read from the queues at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers,
    collect() {
      inflight = readJobCounts();
      return inflight;
    },
  });

  async function readJobCounts(): Promise<void> {
    if (!collector) {
      jobs.reset();
      return;
    }
    let counts: JobCounts;
    try {
      counts = await withTimeout(collector(), collectTimeoutMs, 'reading job counts');
    } catch {
      // Stale numbers would look healthy: show none, count the failure.
      jobs.reset();
      failures++;
      return;
    }
    // Reset first so a queue that disappeared does not keep its last value.
    jobs.reset();
    for (const [queue, states] of Object.entries(counts)) {
      for (const state of JOB_STATES) {
        const n = states[state];
        if (typeof n === 'number' && Number.isFinite(n)) jobs.set({ queue, state }, n);
      }
    }
  }

  new Counter({
    name: `${PREFIX}job_counts_errors_total`,
    help: 'Scrapes where reading the queue job counts failed or timed out',
    registers,
    async collect() {
      await inflight;
      this.reset();
      this.inc(failures);
    },
  });

  const commands = new Counter({
    name: `${PREFIX}commands_total`,
    help: 'Chat commands received, by platform, subcommand and outcome (accepted|refused|invalid|rate-limited)',
    labelNames: ['platform', 'subcommand', 'outcome'] as const,
    registers,
  });

  const jobDuration = new Histogram({
    name: `${PREFIX}job_duration_seconds`,
    help: 'Time from a worker taking a job to finishing it, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    buckets: JOB_DURATION_BUCKETS,
    registers,
  });

  const approvals = new Counter({
    name: `${PREFIX}approvals_total`,
    help: 'Approval record transitions (created|approved|rejected|expired|started|done|failed|refused)',
    labelNames: ['transition'] as const,
    registers,
  });
  // Every transition exists from the start at 0, so rate() and alerts work before the first event.
  for (const transition of APPROVAL_TRANSITIONS) approvals.inc({ transition }, 0);

  const deliveries = new Counter({
    name: `${PREFIX}deliveries_total`,
    help: 'Deliver jobs by platform and outcome: delivered, retried (a failed attempt), waited (for the root message), failed (given up: dead-lettered)',
    labelNames: ['platform', 'outcome'] as const,
    registers,
  });

  let deadLettersCollector: (() => Promise<number>) | null = null;
  const deadLetters: Gauge = new Gauge({
    name: `${PREFIX}dead_letters`,
    help: 'Chat messages the bot gave up delivering, waiting for `rdp-medic deliveries redrive` (NaN when the list cannot be read)',
    registers,
    async collect() {
      this.reset();
      if (!deadLettersCollector) return;
      try {
        this.set(await withTimeout(deadLettersCollector(), collectTimeoutMs, 'counting dead letters'));
      } catch {
        // Not 0: an unreadable list must not look like an empty one.
        this.set(Number.NaN);
      }
    },
  });

  return {
    registry,
    commands,
    jobs,
    jobDuration,
    approvals,
    deliveries,
    deadLetters,
    setJobCountsCollector(fn) {
      collector = fn;
    },
    setDeadLettersCollector(fn) {
      deadLettersCollector = fn;
    },
  };
}
