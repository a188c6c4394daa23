// Emits response envelopes exactly as Windows shapes them (recorded fixtures in test/fixtures/winrm):
// prefixes s a x w rsp p, xml:lang="en-US", fresh upper-case MessageID, RelatesTo copied verbatim.
import { randomUUID } from 'node:crypto';
import { ACTION, ANONYMOUS, COMMAND_STATE, NS, SHELL_CMD_URI } from './namespaces.ts';
import { escapeAttr, escapeText } from './xml.ts';

export function newUuid(): string {
  return randomUUID().toUpperCase();
}

const ROOT_NS =
  `xmlns:s="${NS.s}" xmlns:a="${NS.a}" xmlns:x="${NS.x}" xmlns:w="${NS.w}" xmlns:rsp="${NS.rsp}" xmlns:p="${NS.p}"`;

/** A full envelope; `body` is inner XML of s:Body ('' gives <s:Body/>). */
export function envelope(action: string, relatesTo: string | undefined, body: string, rootNs = ROOT_NS): string {
  const relates = relatesTo === undefined ? '' : `<a:RelatesTo>${escapeText(relatesTo)}</a:RelatesTo>`;
  return (
    `<s:Envelope xml:lang="en-US" ${rootNs}><s:Header>` +
    `<a:Action>${escapeText(action)}</a:Action>` +
    `<a:MessageID>uuid:${newUuid()}</a:MessageID>` +
    `<a:To>${ANONYMOUS}</a:To>${relates}</s:Header>` +
    (body === '' ? '<s:Body/>' : `<s:Body>${body}</s:Body>`) +
    '</s:Envelope>'
  );
}

export interface CreatedShell {
  shellId: string;
  address: string;
  owner: string;
  clientIp: string;
  inputStreams: string[];
  outputStreams: string[];
}

export function createResponse(relatesTo: string | undefined, sh: CreatedShell): string {
  const id = escapeText(sh.shellId);
  const body =
    `<x:ResourceCreated><a:Address>${escapeText(sh.address)}</a:Address><a:ReferenceParameters>` +
    `<w:ResourceURI>${SHELL_CMD_URI}</w:ResourceURI>` +
    `<w:SelectorSet><w:Selector Name="ShellId">${id}</w:Selector></w:SelectorSet>` +
    `</a:ReferenceParameters></x:ResourceCreated>` +
    `<rsp:Shell xmlns:rsp="${NS.rsp}"><rsp:ShellId>${id}</rsp:ShellId>` +
    `<rsp:ResourceUri>${SHELL_CMD_URI}</rsp:ResourceUri>` +
    `<rsp:Owner>${escapeText(sh.owner)}</rsp:Owner><rsp:ClientIP>${escapeText(sh.clientIp)}</rsp:ClientIP>` +
    `<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>` +
    `<rsp:InputStreams>${escapeText(sh.inputStreams.join(' '))}</rsp:InputStreams>` +
    `<rsp:OutputStreams>${escapeText(sh.outputStreams.join(' '))}</rsp:OutputStreams>` +
    `<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime><rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity>` +
    `</rsp:Shell>`;
  return envelope(`${ACTION.create}Response`, relatesTo, body);
}

export function commandResponse(relatesTo: string | undefined, commandId: string): string {
  return envelope(
    `${ACTION.command}Response`,
    relatesTo,
    `<rsp:CommandResponse><rsp:CommandId>${escapeText(commandId)}</rsp:CommandId></rsp:CommandResponse>`,
  );
}

export function sendResponse(relatesTo: string | undefined): string {
  return envelope(`${ACTION.send}Response`, relatesTo, '<rsp:SendResponse/>');
}

export function signalResponse(relatesTo: string | undefined): string {
  return envelope(`${ACTION.signal}Response`, relatesTo, '<rsp:SignalResponse/>');
}

export function deleteResponse(relatesTo: string | undefined): string {
  return envelope(`${ACTION.delete}Response`, relatesTo, '');
}

export interface StreamChunk {
  name: string;
  data: Buffer;
}

export interface ReceiveBatch {
  commandId: string;
  chunks: StreamChunk[];
  /** Present on the final batch: the End="true" streams, Done and ExitCode. */
  done?: { streams: string[]; exitCode: number };
}

/** One `rsp:Stream` element; also used to measure envelope sizes when batching. */
export function streamXml(commandId: string, chunk: StreamChunk): string {
  return `<rsp:Stream Name="${escapeAttr(chunk.name)}" CommandId="${escapeAttr(commandId)}">${chunk.data.toString('base64')}</rsp:Stream>`;
}

export function receiveResponse(relatesTo: string | undefined, batch: ReceiveBatch): string {
  const id = escapeAttr(batch.commandId);
  let body = '<rsp:ReceiveResponse>';
  for (const c of batch.chunks) body += streamXml(batch.commandId, c);
  if (batch.done) {
    for (const s of batch.done.streams) body += `<rsp:Stream Name="${escapeAttr(s)}" CommandId="${id}" End="true"/>`;
    body +=
      `<rsp:CommandState CommandId="${id}" State="${COMMAND_STATE.done}">` +
      `<rsp:ExitCode>${batch.done.exitCode}</rsp:ExitCode></rsp:CommandState>`;
  } else {
    body += `<rsp:CommandState CommandId="${id}" State="${COMMAND_STATE.running}"/>`;
  }
  body += '</rsp:ReceiveResponse>';
  return envelope(`${ACTION.receive}Response`, relatesTo, body);
}
