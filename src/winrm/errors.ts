// Typed errors. Every error names the host and the step, and none ever carries a password or an
// Authorization header: messages are composed here from non-secret facts only.
import { tooMuchMessage } from './limits.ts';
import type { HostSentTooMuch } from './limits.ts';
import type { AuthMethod, ErrorStep } from './types.ts';

export class WinrmError extends Error {
  readonly host: string;
  readonly step: ErrorStep;
  constructor(message: string, host: string, step: ErrorStep, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.host = host;
    this.step = step;
  }
}

/** The caller or the configuration asked for something we refuse before touching the network. */
export class WinrmConfigError extends WinrmError {}

export interface FaultFields {
  /** WSManFault Code (or MSFT_WmiError error_Code); undefined for plain SOAP faults like MustUnderstand. */
  code: number | undefined;
  /** SOAP Subcode value as sent, e.g. 'w:TimedOut'. */
  subcode: string | undefined;
  /** SOAP Code value, e.g. 's:Receiver', 's:Sender', 's:MustUnderstand'. */
  soapCode: string;
  reason: string;
  /** WSManFault Machine attribute. */
  machine: string | undefined;
  /** f:Message text, or the WMI error message. */
  faultMessage: string | undefined;
  httpStatus: number;
}

export class WinrmFaultError extends WinrmError implements FaultFields {
  readonly code: number | undefined;
  readonly subcode: string | undefined;
  readonly soapCode: string;
  readonly reason: string;
  readonly machine: string | undefined;
  readonly faultMessage: string | undefined;
  readonly httpStatus: number;
  constructor(message: string, host: string, step: ErrorStep, fields: FaultFields) {
    super(message, host, step);
    this.code = fields.code;
    this.subcode = fields.subcode;
    this.soapCode = fields.soapCode;
    this.reason = fields.reason;
    this.machine = fields.machine;
    this.faultMessage = fields.faultMessage;
    this.httpStatus = fields.httpStatus;
  }
}

const METHOD_NAMES = { basic: 'Basic', ntlm: 'NTLM', kerberos: 'Kerberos', negotiate: 'Negotiate' } as const;

export class WinrmAuthError extends WinrmError {
  readonly method: (typeof METHOD_NAMES)[AuthMethod];
  constructor(message: string, host: string, step: ErrorStep, method: AuthMethod) {
    super(message, host, step);
    this.method = METHOD_NAMES[method];
  }
}

/**
 * Kerberos could not even be tried (no module, no KDC reachable, no such SPN, realm not configured):
 * the one case where 'negotiate' falls back to NTLM, as Windows does. Wrong passwords and refusals never do.
 */
export class KerberosUnavailableError extends WinrmAuthError {}

export type TransportFailure = 'refused' | 'dns' | 'reset' | 'tls' | 'pin' | 'unreachable' | 'network';

export class WinrmTransportError extends WinrmError {
  readonly kind: TransportFailure;
  /** The Node error code (ECONNREFUSED, CERT_HAS_EXPIRED, ...) when there is one. */
  readonly code: string | undefined;
  /** True when a kept-alive socket died before any response: the request never reached the server. */
  readonly staleSocket: boolean;
  constructor(message: string, host: string, step: ErrorStep, fields: { kind: TransportFailure; code?: string; staleSocket?: boolean; cause?: unknown }) {
    super(message, host, step, { cause: fields.cause });
    this.kind = fields.kind;
    this.code = fields.code;
    this.staleSocket = fields.staleSocket ?? false;
  }
}

export type TimeoutKind = 'connect' | 'request' | 'deadline';

export class WinrmTimeoutError extends WinrmError {
  readonly kind: TimeoutKind;
  readonly timeoutMs: number;
  /** Stdout that arrived before the deadline (a streaming runtime's finished results). */
  partialStdout: string | undefined;
  constructor(message: string, host: string, step: ErrorStep, kind: TimeoutKind, timeoutMs: number) {
    super(message, host, step);
    this.kind = kind;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired (not our deadline). */
export class WinrmAbortError extends WinrmError {}

/** The server answered something that is not the SOAP we expect (garbage, HTML, wrong RelatesTo, ...). */
export class WinrmProtocolError extends WinrmError {
  readonly httpStatus: number | undefined;
  constructor(message: string, host: string, step: ErrorStep, httpStatus?: number) {
    super(message, host, step);
    this.httpStatus = httpStatus;
  }
}

/** The command line would exceed cmd.exe's limit; refused before any network call. */
export class WinrmCommandTooLongError extends WinrmConfigError {
  readonly length: number;
  readonly limit: number;
  constructor(message: string, host: string, length: number, limit: number) {
    super(message, host, 'config');
    this.length = length;
    this.limit = limit;
  }
}

/**
 * The host sent more than a cap allows (one response, or one command's output): we stopped reading
 * and dropped the connection or the command. A retry would only read the same flood again.
 */
export class WinrmOutputLimitError extends WinrmError implements HostSentTooMuch {
  readonly limit: string;
  readonly limitBytes: number;
  readonly what: string;
  constructor(host: string, step: ErrorStep, cap: HostSentTooMuch) {
    super(`${tooMuchMessage(host, cap)}.`, host, step);
    this.limit = cap.limit;
    this.limitBytes = cap.limitBytes;
    this.what = cap.what;
  }
}
