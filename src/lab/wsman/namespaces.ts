// Namespace URIs and action URIs of WS-Management / MS-WSMV Remote Shell (winrm-protocol.md §2.2, §2.3).
// Requests are matched by URI, never by prefix; responses use Windows' fixed prefixes.
export const NS = {
  s: 'http://www.w3.org/2003/05/soap-envelope',
  a: 'http://schemas.xmlsoap.org/ws/2004/08/addressing',
  x: 'http://schemas.xmlsoap.org/ws/2004/09/transfer',
  w: 'http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd',
  p: 'http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd',
  rsp: 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell',
  f: 'http://schemas.microsoft.com/wbem/wsman/1/wsmanfault',
  e: 'http://schemas.xmlsoap.org/ws/2004/08/eventing',
  n: 'http://schemas.xmlsoap.org/ws/2004/09/enumeration',
  xml: 'http://www.w3.org/XML/1998/namespace',
} as const;

const SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
const TRANSFER = 'http://schemas.xmlsoap.org/ws/2004/09/transfer';

export const ACTION = {
  create: `${TRANSFER}/Create`,
  delete: `${TRANSFER}/Delete`,
  command: `${SHELL}/Command`,
  receive: `${SHELL}/Receive`,
  send: `${SHELL}/Send`,
  signal: `${SHELL}/Signal`,
  fault: 'http://schemas.dmtf.org/wbem/wsman/1/wsman/fault',
} as const;

export const SHELL_CMD_URI = `${SHELL}/cmd`;
export const ANONYMOUS = 'http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous';
export const COMMAND_STATE = {
  running: `${SHELL}/CommandState/Running`,
  done: `${SHELL}/CommandState/Done`,
} as const;
