// The ops endpoint of a bot or worker process: GET /healthz (200 or 503 with the checks, as JSON)
// for container health checks and orchestrators, GET /metrics (Prometheus text) for scraping.
// Plain node:http, no framework. A health check that hangs is cut off after healthTimeoutMs and
// reported as not ok: a probe must get an answer, never a hung connection.
// Listens on every interface by default (a container's port must be reachable from outside it).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { scrubText } from '../lib/scrub.ts';

export interface HealthCheck {
  ok: boolean;
  detail?: string;
}

export interface HealthReport {
  ok: boolean;
  checks: Record<string, HealthCheck>;
}

export interface OpsServerOptions {
  /** 0 picks a free port (tests); see opsPortFromEnv for the process default. */
  port: number;
  /** Default: all interfaces. */
  host?: string;
  metrics: Pick<Metrics, 'registry'>;
  health: () => Promise<HealthReport>;
  logger: Logger;
  /** Default 2 s. */
  healthTimeoutMs?: number;
  /** Default 5 s: the job-count collector has its own, shorter limit. */
  metricsTimeoutMs?: number;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

export const DEFAULT_OPS_PORT = 9464;

/** RDP_MEDIC_OPS_PORT (0..65535), else 9464; a bad value is an error naming the variable. */
export function opsPortFromEnv(env: NodeJS.ProcessEnv = process.env, fallback = DEFAULT_OPS_PORT): number {
  const raw = env['RDP_MEDIC_OPS_PORT'];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`RDP_MEDIC_OPS_PORT must be a port number from 0 to 65535, not "${raw}"`);
  return n;
}

class TimeoutError extends Error {}

function within<T>(work: () => Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    // A synchronous throw inside work() becomes a rejection like any other.
    Promise.resolve().then(work),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TimeoutError(`no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function send(res: ServerResponse, status: number, contentType: string, body: string, head: boolean): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(head ? undefined : body);
}

/** Health details are shown to anyone who can reach the port: scrub them like log lines. */
function scrubReport(report: HealthReport): HealthReport {
  const checks: Record<string, HealthCheck> = {};
  for (const [name, c] of Object.entries(report.checks ?? {})) {
    checks[name] = { ok: c.ok === true, ...(c.detail !== undefined ? { detail: scrubText(String(c.detail)) } : {}) };
  }
  // Overall ok only if the report says so and no check says otherwise.
  return { ok: report.ok === true && Object.values(checks).every((c) => c.ok), checks };
}

export function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const healthTimeoutMs = opts.healthTimeoutMs ?? 2_000;
  const metricsTimeoutMs = opts.metricsTimeoutMs ?? 5_000;
  const log = opts.logger;
  let lastHealthy: boolean | undefined;

  async function healthz(): Promise<HealthReport> {
    let report: HealthReport;
    try {
      report = scrubReport(await within(opts.health, healthTimeoutMs));
    } catch (err) {
      const detail = err instanceof TimeoutError ? err.message : `health check failed: ${scrubText((err as Error)?.message ?? String(err))}`;
      report = { ok: false, checks: { health: { ok: false, detail } } };
    }
    // Log changes only: a probe every few seconds must not flood the log.
    if (report.ok !== lastHealthy) {
      if (report.ok) log.info('ops: healthy');
      else log.warn({ checks: report.checks }, 'ops: unhealthy');
      lastHealthy = report.ok;
    }
    return report;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
    if (path === '/healthz') {
      const report = await healthz();
      return send(res, report.ok ? 200 : 503, 'application/json; charset=utf-8', `${JSON.stringify(report)}\n`, head);
    }
    if (path === '/metrics') {
      const { registry } = opts.metrics;
      try {
        const text = await within(() => registry.metrics(), metricsTimeoutMs);
        return send(res, 200, registry.contentType, text, head);
      } catch (err) {
        log.warn({ err }, 'ops: /metrics failed');
        return send(res, 503, 'text/plain; charset=utf-8', 'metrics unavailable\n', head);
      }
    }
    return send(res, 404, 'text/plain; charset=utf-8', 'not found\n', head);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'ops: request failed');
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', 'internal error\n', false);
      else res.destroy();
    });
  });
  // Slow or idle clients must not pin sockets: the answers are small and quick.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  server.keepAliveTimeout = 5_000;

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const ready = (): void => {
      server.off('error', reject);
      server.on('error', (err) => log.error({ err }, 'ops: server error'));
      const port = (server.address() as AddressInfo).port;
      log.info({ port, host: opts.host ?? '*' }, 'ops: listening (/healthz, /metrics)');
      resolve({
        port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            // Keep-alive sockets would hold close() open until they time out.
            server.closeIdleConnections();
            server.closeAllConnections();
          }),
      });
    };
    if (opts.host !== undefined) server.listen(opts.port, opts.host, ready);
    else server.listen(opts.port, ready);
  });
}
