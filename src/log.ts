// One pino logger for the process. Secrets are redacted by key wherever they appear,
// so a password or token passed by mistake in a log object never reaches the output.
import { pino, type Logger } from 'pino';

export const REDACT_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'secret',
  '*.secret',
  'signingSecret',
  '*.signingSecret',
  'appToken',
  '*.appToken',
  'botToken',
  '*.botToken',
];

export type { Logger };

export function createLogger(opts: { level?: string; name?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  const options = { level, name: opts.name ?? 'rdp-medic', redact: { paths: REDACT_PATHS, censor: '[redacted]' } };
  // Logs go to stderr so command output on stdout stays machine-readable.
  return pino(options, (opts.destination ?? process.stderr) as pino.DestinationStream);
}

/** A logger that drops everything (tests, library defaults). */
export const silentLogger: Logger = pino({ level: 'silent' });
