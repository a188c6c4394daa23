// Shared types of the WinRM client. Kept free of runtime code so every module can import them.

/** The WS-Man operation a request belongs to; every error names one so the operator knows where it failed. */
export type WinrmStep = 'create' | 'command' | 'send' | 'receive' | 'signal' | 'delete';

/** Where an error arose: a protocol step, or 'config' for a refusal before any network call. */
export type ErrorStep = WinrmStep | 'config';

/** 'negotiate': Kerberos, falling back to NTLM when Kerberos is unavailable (as Windows does). */
export type AuthMethod = 'basic' | 'ntlm' | 'kerberos' | 'negotiate';
/** The method a connection actually authenticated with. */
export type UsedAuthMethod = 'basic' | 'ntlm' | 'kerberos';
export type EncryptionMode = 'auto' | 'always' | 'never';

/** pino-compatible subset; the client only ever passes plain objects without secrets. */
export interface WinrmLogger {
  warn(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The raw bytes as the host sent them (UTF-8, since shells are created with code page 65001). */
  stdoutBytes: Buffer;
  stderrBytes: Buffer;
}

export interface RunOptions {
  stdin?: Buffer | string;
  /** Aborts the command; the whole-command deadline (timeouts.commandMs) applies in any case. */
  signal?: AbortSignal;
}

export interface WinrmStats {
  /** HTTP request/response exchanges, including NTLM handshake legs and background cleanup. */
  roundTrips: number;
  /** SOAP operations by step. */
  requests: Record<WinrmStep, number>;
  /** NTLM or Kerberos handshakes performed (one per TCP connection). */
  handshakes: number;
  /** The method the last handshake (or Basic request) used; with 'negotiate' this says which one won. */
  authUsed: UsedAuthMethod | undefined;
  /** Shells created for the kept (warm) shell; runOnce shells are counted in requests.create only. */
  shellsCreated: number;
}

/** Per-request knobs passed down the stack. */
export interface RequestContext {
  step: WinrmStep;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The whole-command deadline, only for the error message when `signal` fires because of it. */
  deadlineMs?: number;
}
