// The frame of a long-running process (bot, worker): JSON logs, metrics, /healthz and /metrics,
// and a graceful stop on SIGTERM/SIGINT (stop taking work, finish what runs, close connections;
// a second signal or a stop taking longer than 25 s exits at once).
import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.ts';
import { DEFAULT_OPS_PORT, opsPortFromEnv, startOpsServer, type HealthReport } from '../../ops/http.ts';
import { createLogger, type Logger } from '../../ops/logger.ts';
import { createMetrics, type Metrics } from '../../ops/metrics.ts';

export interface Service {
  redis: Redis;
  close(): Promise<void>;
}

const STOP_BUDGET_MS = 25_000;

export async function redisHealth(redis: Redis): Promise<HealthReport> {
  try {
    const pong = await redis.ping();
    return { ok: pong === 'PONG', checks: { redis: { ok: pong === 'PONG', detail: redis.status } } };
  } catch (e) {
    return { ok: false, checks: { redis: { ok: false, detail: e instanceof Error ? e.message : String(e) } } };
  }
}

export async function runService(kind: 'bot' | 'worker', config: Config, start: (logger: Logger, metrics: Metrics) => Promise<Service>): Promise<number> {
  const logger = createLogger({ name: `rdp-medic-${kind}` });
  const metrics = createMetrics(kind);
  const service = await start(logger, metrics);
  const fallback = config.ops.port ?? (kind === 'bot' ? DEFAULT_OPS_PORT : DEFAULT_OPS_PORT + 1);
  const ops = await startOpsServer({ port: opsPortFromEnv(process.env, fallback), host: config.ops.host, metrics, logger, health: () => redisHealth(service.redis) });
  logger.info({ port: ops.port }, `${kind}: /healthz and /metrics listening`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, `${kind}: stopping (finishing running jobs)`);
  const force = setTimeout(() => {
    logger.error(`${kind}: did not stop within ${STOP_BUDGET_MS} ms; exiting`);
    process.exit(1);
  }, STOP_BUDGET_MS);
  force.unref();
  process.once('SIGTERM', () => process.exit(1));
  process.once('SIGINT', () => process.exit(1));
  await service.close();
  await ops.close();
  clearTimeout(force);
  logger.info(`${kind}: stopped`);
  return 0;
}
