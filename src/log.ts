// The CLI's logger: the same scrubbing as the long-running processes' (src/ops/logger.ts), but on
// stderr, so command output on stdout stays machine-readable.
import { pino } from 'pino';
import { createLogger as createProcessLogger, REDACT_PATHS, type Logger } from './ops/logger.ts';

export { REDACT_PATHS };
export type { Logger };

export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  return createProcessLogger({
    name: opts.name ?? 'rdp-medic',
    ...(opts.level ? { level: opts.level } : {}),
    destination: (opts.destination ?? pino.destination({ dest: 2, sync: true })) as pino.DestinationStream,
  });
}

/** A logger that drops everything (tests, library defaults). */
export const silentLogger: Logger = pino({ level: 'silent' });
