// Settings of the long-running processes: where Redis is, how hard workers work, where the
// operations endpoints listen. Environment variables (REDIS_URL, RDP_MEDIC_OPS_PORT) override the file so a
// container can be pointed elsewhere without editing it.
import { z } from 'zod';

export { KeyPrefix, RedisSettings } from './redis-settings.ts';

export const WorkerSettings = z
  .object({
    /** Diagnoses one worker runs at once (network-bound: many). */
    diagnoseConcurrency: z.number().int().min(1).max(1000).default(50),
    /** Fixes and plans one worker runs at once. */
    fixConcurrency: z.number().int().min(1).max(100).default(4),
    /** How long a worker's claim on a job lasts without renewal; a killed worker's job is recovered after it. */
    lockDurationMs: z.number().int().min(1000).max(600_000).default(30_000),
    /** How often workers look for jobs whose worker died. */
    stalledIntervalMs: z.number().int().min(500).max(600_000).default(15_000),
    /** Attempts of a diagnosis that failed for a transient reason (Redis, a crash), not the host's answer. */
    diagnoseAttempts: z.number().int().min(1).max(20).default(3),
    /** Idle host connections kept open for reuse; more are closed, least recently used first. */
    maxIdleConnections: z.number().int().min(0).max(10_000).default(100),
    /** A host connection idle this long is closed. */
    idleConnectionMs: z.number().int().min(1000).max(3_600_000).default(60_000),
  })
  .strict()
  .prefault({});
export type WorkerSettings = z.infer<typeof WorkerSettings>;

export const BotSettings = z
  .object({
    /** Most hosts one check may target (group: and tag:). */
    maxTargets: z.number().int().min(1).max(100_000).default(500),
    /** Minimum time between two updates of a fleet summary (platform edit limits). */
    summaryIntervalMs: z.number().int().min(100).max(60_000).default(1_500),
    /** How often pending approvals are checked for expiry. */
    expirySweepMs: z.number().int().min(200).max(600_000).default(15_000),
    /**
     * How long a chat message is retried (with the platform's Retry-After) after its first failed
     * attempt before it goes to the dead-letter list (`rdp-medic deliveries`). Waiting for its root
     * message does not count.
     */
    deliveryRetryWindowMs: z.number().int().min(1_000).max(24 * 3600_000).default(15 * 60_000),
    /**
     * How long a check's "Checking…" root waits for the verdict where the platform already shows a
     * placeholder (Discord's deferred "thinking…"): a verdict within it is the first and only edit.
     */
    interimHoldMs: z.number().int().min(0).max(60_000).default(2_500),
  })
  .strict()
  .prefault({});
export type BotSettings = z.infer<typeof BotSettings>;

export const OpsSettings = z
  .object({
    /** Port of /healthz and /metrics; RDP_MEDIC_OPS_PORT overrides; default 9464 (bot), 9465 (worker); 0: any free port. */
    port: z.number().int().min(0).max(65535).optional(),
    host: z.string().default('0.0.0.0'),
  })
  .strict()
  .prefault({});
export type OpsSettings = z.infer<typeof OpsSettings>;
