// Logging for the adapter and for Bolt: a pino-compatible logger (obj, msg), with every known secret
// scrubbed from anything Bolt or the Web API client hands us, since their messages embed whatever
// they were given (URLs, bodies, errors).
import { registerSecretValues, scrubText } from '../../lib/scrub.ts';
import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';

/** The pino subset the adapter uses. */
export interface AdapterLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export const silent: AdapterLogger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** Replaces each secret, and anything shaped like a Slack token, with [redacted]. */
export function makeRedactor(secrets: readonly (string | undefined)[]): (text: string) => string {
  // The one scrubber, told this app's tokens and signing secret so it masks them by value too.
  registerSecretValues(secrets.filter((s): s is string => typeof s === 'string'));
  return scrubText;
}

function describe(arg: unknown): string {
  if (arg instanceof Error) return `${arg.name}: ${arg.message}`;
  if (typeof arg === 'string') return arg;
  try {
    return JSON.stringify(arg) ?? String(arg);
  } catch {
    return String(arg);
  }
}

/** Bolt's and the Web API client's Logger interface on top of ours; every line is redacted. */
export function slackLogger(log: AdapterLogger, redact: (text: string) => string, name = 'slack'): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  let loggerName = name;
  const line = (args: unknown[]): string => redact(args.map(describe).join(' '));
  return {
    debug: (...args: unknown[]) => log.debug({ lib: loggerName }, line(args)),
    info: (...args: unknown[]) => log.info({ lib: loggerName }, line(args)),
    warn: (...args: unknown[]) => log.warn({ lib: loggerName }, line(args)),
    error: (...args: unknown[]) => log.error({ lib: loggerName }, line(args)),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: (n: string) => {
      loggerName = n;
    },
  };
}
