// Response bodies in Windows' shape (prefixes s a x w rsp p f, RelatesTo = the request MessageID),
// as ScriptedReply values for WsmanReplayServer.
import { randomUUID } from 'node:crypto';
import type { RecordedRequest, ScriptedReply } from './wsman-replay.ts';

const NS =
  'xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" ' +
  'xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" ' +
  'xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"';

export function soapEnvelope(action: string, relatesTo: string | undefined, body: string): string {
  return (
    `<s:Envelope xml:lang="en-US" ${NS}><s:Header>` +
    `<a:Action>${action}</a:Action><a:MessageID>uuid:${randomUUID().toUpperCase()}</a:MessageID>` +
    `<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To>` +
    (relatesTo ? `<a:RelatesTo>${relatesTo}</a:RelatesTo>` : '') +
    `</s:Header><s:Body>${body}</s:Body></s:Envelope>`
  );
}

const SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';
const TRANSFER = 'http://schemas.xmlsoap.org/ws/2004/09/transfer';

const ok = (expect: string, action: string, body: string): ScriptedReply => ({
  expect,
  body: (req: RecordedRequest) => soapEnvelope(action, req.messageId, body),
});

export type StreamPart = { name: 'stdout' | 'stderr'; data: Buffer | string };

export const reply = {
  create: (shellId = 'SHELL-0001'): ScriptedReply =>
    ok('create', `${TRANSFER}/CreateResponse`,
      `<x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address><a:ReferenceParameters>` +
      `<w:ResourceURI>${SHELL}/cmd</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">${shellId}</w:Selector></w:SelectorSet>` +
      `</a:ReferenceParameters></x:ResourceCreated>`),
  command: (commandId = 'CMD-0001'): ScriptedReply =>
    ok('command', `${SHELL}/CommandResponse`, `<rsp:CommandResponse><rsp:CommandId>${commandId}</rsp:CommandId></rsp:CommandResponse>`),
  send: (): ScriptedReply => ok('send', `${SHELL}/SendResponse`, '<rsp:SendResponse/>'),
  signal: (): ScriptedReply => ok('signal', `${SHELL}/SignalResponse`, '<rsp:SignalResponse/>'),
  delete: (): ScriptedReply => ({ expect: 'delete', body: (req) => soapEnvelope(`${TRANSFER}/DeleteResponse`, req.messageId, '').replace('<s:Body></s:Body>', '<s:Body/>') }),
  receive: (parts: StreamPart[], done?: { exitCode: number }, commandId = 'CMD-0001'): ScriptedReply => {
    const streams = parts
      .map((p) => `<rsp:Stream Name="${p.name}" CommandId="${commandId}">${Buffer.from(p.data).toString('base64')}</rsp:Stream>`)
      .join('');
    const state = done
      ? `<rsp:Stream Name="stdout" CommandId="${commandId}" End="true"/><rsp:Stream Name="stderr" CommandId="${commandId}" End="true"/>` +
        `<rsp:CommandState CommandId="${commandId}" State="${SHELL}/CommandState/Done"><rsp:ExitCode>${done.exitCode}</rsp:ExitCode></rsp:CommandState>`
      : `<rsp:CommandState CommandId="${commandId}" State="${SHELL}/CommandState/Running"/>`;
    return ok('receive', `${SHELL}/ReceiveResponse`, `<rsp:ReceiveResponse>${streams}${state}</rsp:ReceiveResponse>`);
  },
  fault: (f: { expect?: string; code: number; subcode: string; reason: string; sender?: boolean; machine?: string; status?: number }): ScriptedReply => ({
    expect: f.expect,
    status: f.status ?? 500,
    body: (req) =>
      soapEnvelope('http://schemas.dmtf.org/wbem/wsman/1/wsman/fault', req.messageId,
        `<s:Fault><s:Code><s:Value>${f.sender ? 's:Sender' : 's:Receiver'}</s:Value><s:Subcode><s:Value>${f.subcode}</s:Value></s:Subcode></s:Code>` +
        `<s:Reason><s:Text xml:lang="en-US">${f.reason}</s:Text></s:Reason><s:Detail>` +
        `<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="${f.code}" Machine="${f.machine ?? 'simhost'}"><f:Message>${f.reason}</f:Message></f:WSManFault>` +
        `</s:Detail></s:Fault>`),
  }),
};

export const faults = {
  timedOut: (): ScriptedReply => reply.fault({ expect: 'receive', code: 2150858793, subcode: 'w:TimedOut', reason: 'The WS-Management service cannot complete the operation within the time specified in OperationTimeout.' }),
  shellGone: (expect: string): ScriptedReply => reply.fault({ expect, code: 2150858843, subcode: 'w:InvalidSelectors', sender: true, reason: 'The request for the Windows Remote Shell failed because the shell was not found on the server.' }),
};

/** A complete happy command on an existing shell: Command, Send, Receive(Done). */
export function warmCommand(stdout: string, exitCode = 0, commandId = 'CMD-0001'): ScriptedReply[] {
  return [reply.command(commandId), reply.send(), reply.receive([{ name: 'stdout', data: stdout }], { exitCode }, commandId)];
}
