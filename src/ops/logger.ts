// Structured logs for the long-running bot and worker processes: one JSON object per line on
// stdout (containers collect stdout; the CLI's own logger in src/log.ts writes to stderr instead,
// where it does not mix with command output). Level from LOG_LEVEL, default info.
//
// Secrets are kept out in four layers, because one layer is always forgotten somewhere:
//  1. pino `redact` paths censor the well-known secret fields ("[redacted]");
//  2. formatters.log / formatters.bindings censor secret-named fields at any depth and scrub strings;
//  3. the err serializer scrubs message, stack and string properties of logged errors;
//  4. a streamWrite hook scrubs the finished line, so a token in a message ("auth failed for xoxb-…")
//     or anywhere else never reaches the output.
import { pino, stdSerializers, type DestinationStream, type Logger, type SerializedError } from 'pino';
import { CENSOR, scrubText, scrubValue } from '../lib/scrub.ts';

export type { Logger };

export const REDACT_PATHS = [
  'password',
  'token',
  'botToken',
  'appToken',
  'signingSecret',
  'clientSecret',
  'secret',
  'authorization',
  'cookie',
  'credentials',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  'config.credentials',
  'config.slack',
  'config.discord',
  '*.password',
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.clientSecret',
  '*.secret',
  '*.authorization',
  '*.credentials',
  '*.headers.authorization',
  '*.*.password',
  '*.*.token',
];

export interface CreateLoggerOptions {
  /** The process or component name, e.g. "bot" or "worker" (the `name` field of every line). */
  name: string;
  /** pino level; default LOG_LEVEL, else "info". */
  level?: string;
  /** Where lines go; default stdout, written synchronously so nothing is lost on process.exit. */
  destination?: DestinationStream;
}

/** pino's error serializer, then every string in it scrubbed (messages quote tokens more often than one thinks). */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return scrubValue(err);
  // The serialized error has pino's own prototype: spread it into a plain object so scrubValue walks it.
  return scrubValue({ ...(stdSerializers.err(err) as SerializedError) });
}

export function createLogger(opts: CreateLoggerOptions): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    {
      name: opts.name,
      level,
      redact: { paths: REDACT_PATHS, censor: CENSOR },
      serializers: { err: serializeError, error: serializeError },
      formatters: {
        log: (obj) => scrubValue(obj) as Record<string, unknown>,
        bindings: (bindings) => scrubValue(bindings) as Record<string, unknown>,
      },
      hooks: { streamWrite: scrubText },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A child logger for one component (e.g. { component: 'deliver' }); bindings are scrubbed like fields. */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  return logger.child(bindings);
}
