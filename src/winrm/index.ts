// rdp-medic's WS-Management client (see docs/decisions/0001-winrm-client.md).
export { createWinrmClient } from './create.ts';
export { WinrmClient } from './client.ts';
export type { WinrmClientOptions } from './options.ts';
export type { AuthMethod, UsedAuthMethod, CommandResult, EncryptionMode, RunOptions, WinrmLogger, WinrmStats, WinrmStep, ErrorStep } from './types.ts';
export {
  WinrmError, WinrmFaultError, WinrmAuthError, KerberosUnavailableError, WinrmTransportError, WinrmTimeoutError, WinrmAbortError,
  WinrmProtocolError, WinrmConfigError, WinrmCommandTooLongError, WinrmOutputLimitError,
} from './errors.ts';
export { LIMIT_DEFAULTS, LIMIT_MINIMUMS, formatBytes, tooMuchMessage } from './limits.ts';
export type { HostSentTooMuch } from './limits.ts';
export { FAULT } from './faults.ts';
export { CMD_EXE_MAX_COMMAND_LINE } from './command-line.ts';
export { encodePowerShell, powerShellArgs, POWERSHELL } from './powershell.ts';
// Lower-level pieces, for fixtures, the lab and tests.
export { readEnvelope, readShellId, readCommandId, readReceive } from './response.ts';
export { readFault } from './faults.ts';
export { loadGssapi, KERBEROS_INSTALL_STEP } from './kerberos/gssapi.ts';
export type { Gssapi, GssServer } from './kerberos/gssapi.ts';
