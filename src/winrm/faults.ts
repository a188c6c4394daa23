// SOAP fault extraction (winrm-protocol.md §2.11): the WSManFault detail, the MSFT_WmiError detail,
// and plain SOAP faults such as s:MustUnderstand. Also the hints that turn codes into advice.
import { attr, child, children, path, textOf } from './xml.ts';
import type { SoapEnvelope } from './response.ts';
import type { FaultFields } from './errors.ts';

export const FAULT = {
  /** Receive long-poll expired with no output: poll again. */
  TIMED_OUT: 2150858793,
  /** The shell does not exist (deleted, idle-timed-out, or the service restarted). */
  SHELL_NOT_FOUND: 2150858843,
  SCHEMA_VALIDATION: 2150858817,
  TOO_MANY_SHELLS: 2150859173,
  TOO_MANY_COMMANDS: 2150859174,
  ACCESS_DENIED: 2147942405,
  COMMAND_LINE_TOO_LONG: 2147942606,
  OPERATION_ABORTED: 995,
} as const;

const HINTS: Record<number, string> = {
  [FAULT.TIMED_OUT]: 'the operation exceeded OperationTimeout',
  [FAULT.SHELL_NOT_FOUND]: 'the remote shell no longer exists (deleted, idle timeout, or WinRM restarted)',
  [FAULT.SCHEMA_VALIDATION]: 'the server rejected the request envelope as invalid',
  [FAULT.TOO_MANY_SHELLS]: 'the per-user shell quota is exhausted (MaxShellsPerUser); old shells must close first',
  [FAULT.TOO_MANY_COMMANDS]: 'the per-shell or per-user command quota is exhausted',
  [FAULT.ACCESS_DENIED]: 'access denied: the account must be an administrator or in Remote Management Users',
  [FAULT.COMMAND_LINE_TOO_LONG]: 'the command line is too long; send large payloads on stdin',
  [FAULT.OPERATION_ABORTED]: 'the operation was aborted because the shell was closing',
};

export function faultHint(code: number | undefined): string | undefined {
  return code === undefined ? undefined : HINTS[code];
}

function toCode(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text.trim());
}

/** Returns the fault in an envelope, or undefined if the body is not a fault. */
export function readFault(env: SoapEnvelope): Omit<FaultFields, 'httpStatus'> | undefined {
  const fault = child(env.body, 'Fault');
  if (fault === undefined) return undefined;
  const soapCode = textOf(path(fault, 'Code', 'Value')).trim();
  const subcodeText = textOf(path(fault, 'Code', 'Subcode', 'Value')).trim();
  let reason = textOf(path(fault, 'Reason', 'Text')).trim();
  const detail = child(fault, 'Detail');

  const wsman = child(detail, 'WSManFault');
  if (wsman !== undefined) {
    return {
      soapCode,
      subcode: subcodeText || undefined,
      reason,
      code: toCode(attr(wsman, 'Code')),
      machine: attr(wsman, 'Machine'),
      faultMessage: textOf(child(wsman, 'Message')).trim() || undefined,
    };
  }

  const wmi = child(detail, 'MSFT_WmiError');
  if (wmi !== undefined) {
    const message = textOf(child(wmi, 'Message')).trim() || textOf(child(wmi, 'error_WindowsErrorMessage')).trim();
    return {
      soapCode,
      subcode: subcodeText || undefined,
      reason,
      code: toCode(textOf(child(wmi, 'error_Code'))),
      machine: undefined,
      faultMessage: message || undefined,
    };
  }

  // Plain SOAP fault, e.g. s:MustUnderstand: name the header(s) the server did not understand.
  const notUnderstood = children(env.header, 'NotUnderstood').map((n) => attr(n, 'qname')).filter((q) => q !== undefined);
  if (notUnderstood.length > 0) reason = `${reason} (header not understood: ${notUnderstood.join(', ')})`.trim();
  return { soapCode, subcode: subcodeText || undefined, reason, code: undefined, machine: undefined, faultMessage: undefined };
}
