// The frame of a long-running process (bot, worker): JSON logs, metrics, /healthz and /metrics,
// and a graceful stop on SIGTERM/SIGINT (src/ops/shutdown.ts: finish what runs, close connections;
// a second signal or a stop taking longer than 25 s exits at once).
import { errorText } from '../../lib/error-text.ts';
import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.ts';
import { DEFAULT_OPS_PORT, opsPortFromEnv, startOpsServer, type HealthCheck, type HealthReport } from '../../ops/http.ts';
import { createLogger, type Logger } from '../../ops/logger.ts';
import { createMetrics, type Metrics } from '../../ops/metrics.ts';
import { onShutdown } from '../../ops/shutdown.ts';

export interface Service {
  redis: Redis;
  /** Checks of its own for /healthz, next to Redis (the bot: its dead-letter list). */
  healthChecks?(): Promise<Record<string, HealthCheck>>;
  close(): Promise<void>;
}

const STOP_BUDGET_MS = 25_000;

export async function redisHealth(redis: Redis): Promise<HealthReport> {
  try {
    const pong = await redis.ping();
    return { ok: pong === 'PONG', checks: { redis: { ok: pong === 'PONG', detail: redis.status } } };
  } catch (e) {
    return { ok: false, checks: { redis: { ok: false, detail: errorText(e) } } };
  }
}

/** Redis, then the service's own checks; a check that throws is reported as not ok. */
export async function serviceHealth(service: Service): Promise<HealthReport> {
  const report = await redisHealth(service.redis);
  if (!service.healthChecks) return report;
  let own: Record<string, HealthCheck>;
  try {
    own = await service.healthChecks();
  } catch (e) {
    own = { service: { ok: false, detail: errorText(e) } };
  }
  const checks = { ...report.checks, ...own };
  return { ok: Object.values(checks).every((c) => c.ok), checks };
}

export async function runService(kind: 'bot' | 'worker', config: Config, start: (logger: Logger, metrics: Metrics) => Promise<Service>): Promise<number> {
  const logger = createLogger({ name: `rdp-medic-${kind}` });
  const metrics = createMetrics(kind);
  const service = await start(logger, metrics);
  const fallback = config.ops.port ?? (kind === 'bot' ? DEFAULT_OPS_PORT : DEFAULT_OPS_PORT + 1);
  const ops = await startOpsServer({ port: opsPortFromEnv(process.env, fallback), host: config.ops.host, metrics, logger, health: () => serviceHealth(service) });
  logger.info({ port: ops.port }, `${kind}: /healthz and /metrics listening`);
  // Runs on SIGTERM/SIGINT and exits the process: running jobs finish, then connections close.
  onShutdown(
    logger,
    [
      { name: kind, run: () => service.close() },
      { name: 'ops server', run: () => ops.close() },
    ],
    { timeoutMs: STOP_BUDGET_MS },
  );
  await new Promise<never>(() => undefined);
  return 0; // not reached: onShutdown exits the process
}
