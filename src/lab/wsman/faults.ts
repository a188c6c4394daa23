// SOAP 1.2 faults as Windows sends them (winrm-protocol.md §2.11): HTTP 500, s:Fault with a
// w:/wsmanfault subcode and an f:WSManFault Code/Machine detail that clients key on.
import { ACTION, NS } from './namespaces.ts';
import { envelope } from './envelopes.ts';
import { escapeAttr, escapeText } from './xml.ts';

export class WsmanFault extends Error {
  constructor(
    readonly value: 's:Sender' | 's:Receiver',
    readonly subcode: string,
    readonly reason: string,
    readonly code: number,
    readonly detailMessage: string = reason,
    /** Extra elements before f:WSManFault inside s:Detail (e.g. w:FaultDetail). */
    readonly extraDetail = '',
  ) {
    super(`${subcode} ${code}: ${reason}`);
  }
}

const FAULT_NS =
  `xmlns:s="${NS.s}" xmlns:a="${NS.a}" xmlns:x="${NS.x}" xmlns:e="${NS.e}" xmlns:n="${NS.n}" xmlns:w="${NS.w}" xmlns:p="${NS.p}"`;

export function faultEnvelope(f: WsmanFault, machine: string, relatesTo: string | undefined): string {
  const body =
    `<s:Fault><s:Code><s:Value>${f.value}</s:Value><s:Subcode><s:Value>${f.subcode}</s:Value></s:Subcode></s:Code>` +
    `<s:Reason><s:Text xml:lang="en-US">${escapeText(f.reason)}</s:Text></s:Reason>` +
    `<s:Detail>${f.extraDetail}<f:WSManFault xmlns:f="${NS.f}" Code="${f.code}" Machine="${escapeAttr(machine)}">` +
    `<f:Message>${escapeText(f.detailMessage)}</f:Message></f:WSManFault></s:Detail></s:Fault>`;
  return envelope(ACTION.fault, relatesTo, body, FAULT_NS);
}

const TIMED_OUT = 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  ';

export const faults = {
  timedOut: () => new WsmanFault('s:Receiver', 'w:TimedOut', TIMED_OUT, 2150858793),

  shellNotFound: (shellId: string) =>
    new WsmanFault(
      's:Sender',
      'w:InvalidSelectors',
      'The WS-Management service cannot process the request because the request contained invalid selectors for the resource. ',
      2150858843,
      `The request for the Windows Remote Shell with ShellId ${shellId} failed because the shell was not found on the server. ` +
        'Possible causes are: the specified ShellId is incorrect or the shell no longer exists on the server. ' +
        'Provide the correct ShellId or create a new shell and retry the operation. ',
      '<w:FaultDetail>http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/UnexpectedSelectors</w:FaultDetail>',
    ),

  /** ERROR_OPERATION_ABORTED: a Receive pending while its shell or command goes away. */
  aborted: () =>
    new WsmanFault(
      's:Receiver',
      'w:InternalError',
      'The I/O operation has been aborted because of either a thread exit or an application request. ',
      995,
    ),

  /** Allow Remote Shell Access disabled by policy (AllowRemoteShellAccess = 0): every Create is refused. */
  remoteShellDisabled: () =>
    new WsmanFault(
      's:Sender',
      'w:AccessDenied',
      'The WS-Management service cannot process the request. The service is configured to not accept any remote shell requests. ',
      2147942405,
    ),

  quotaLimit: (max: number) =>
    new WsmanFault(
      's:Sender',
      'w:QuotaLimit',
      `The WS-Management service cannot process the request. This user is allowed a maximum number of ${max} concurrent shells, which has been exceeded. Close existing shells or raise the quota for this user. `,
      2150859173,
    ),

  actionNotSupported: (action: string) =>
    new WsmanFault(
      's:Sender',
      'w:ActionNotSupported',
      'The WS-Management service does not support the specified action. ',
      2150858771,
      `The WS-Management service does not support the action ${action}. `,
    ),

  schemaValidation: (why: string) =>
    new WsmanFault(
      's:Sender',
      'w:SchemaValidationError',
      'The SOAP XML in the message does not match the corresponding XML schema definition. Change the XML and retry. ',
      2150858817,
      `The SOAP XML in the message does not match the corresponding XML schema definition (${why}). `,
    ),

  /** Win32 ERROR_ACCESS_DENIED wrapped as an HRESULT, used for injected HTTP 500s. */
  internalError: (message = 'Access is denied. ', code = 2147942405) =>
    new WsmanFault('s:Receiver', 'w:InternalError', message, code),

  invalidCommandId: (commandId: string) =>
    new WsmanFault(
      's:Sender',
      'w:InvalidParameter',
      'The parameter is incorrect. ',
      2147942487,
      `The request for the Windows Remote Shell command ${commandId} failed because the command was not found. `,
    ),
};
