// Reading WS-Man responses into typed values. Prefix-agnostic (see xml.ts); anything that is not the
// shape Windows sends raises MalformedResponse, which the caller turns into a WinrmProtocolError.
import { COMMAND_STATE_DONE } from './namespaces.ts';
import { attr, child, children, isNode, parseXml, path, textOf } from './xml.ts';
import type { XmlNode } from './xml.ts';

export class MalformedResponse extends Error {}

export interface SoapEnvelope {
  header: XmlNode | undefined;
  body: XmlNode | undefined;
  action: string | undefined;
  messageId: string | undefined;
  relatesTo: string | undefined;
}

/** Parses a SOAP envelope; throws MalformedResponse for garbage, HTML or any non-SOAP document. */
export function readEnvelope(text: string): SoapEnvelope {
  const doc = parseXml(text);
  if (doc === undefined) throw new MalformedResponse('the body is not well-formed XML');
  const envelope = child(doc, 'Envelope');
  if (!isNode(envelope)) throw new MalformedResponse('the body is XML but not a SOAP envelope');
  const header = child(envelope, 'Header');
  const body = child(envelope, 'Body');
  if (body === undefined) throw new MalformedResponse('the SOAP envelope has no Body');
  const headerNode = isNode(header) ? header : undefined;
  const optionalText = (name: string): string | undefined => {
    const node = child(headerNode, name);
    return node === undefined ? undefined : textOf(node).trim();
  };
  return {
    header: headerNode,
    body: isNode(body) ? body : undefined, // `<s:Body/>` parses as '' (empty)
    action: optionalText('Action'),
    messageId: optionalText('MessageID'),
    relatesTo: optionalText('RelatesTo'),
  };
}

/** CreateResponse: the `Name="ShellId"` selector of ResourceCreated, else rsp:Shell/rsp:ShellId. */
export function readShellId(env: SoapEnvelope): string {
  const selectors = children(path(env.body, 'ResourceCreated', 'ReferenceParameters', 'SelectorSet'), 'Selector');
  const selector = selectors.find((s) => attr(s, 'Name')?.toLowerCase() === 'shellid');
  const id = selector !== undefined ? textOf(selector).trim() : textOf(path(env.body, 'Shell', 'ShellId')).trim();
  if (!id) throw new MalformedResponse('CreateResponse carries no ShellId');
  return id;
}

export function readCommandId(env: SoapEnvelope): string {
  const id = textOf(path(env.body, 'CommandResponse', 'CommandId')).trim();
  if (!id) throw new MalformedResponse('CommandResponse carries no CommandId');
  return id;
}

export interface StreamChunk {
  name: string;
  data: Buffer;
  end: boolean;
}

export interface ReceiveChunk {
  streams: StreamChunk[];
  /** Only `CommandState/Done` ends a command (MS-WSMV 3.1.4.14); End="true" streams do not. */
  done: boolean;
  exitCode: number | undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function readReceive(env: SoapEnvelope): ReceiveChunk {
  const response = child(env.body, 'ReceiveResponse');
  if (response === undefined) throw new MalformedResponse('expected a ReceiveResponse');
  const streams = children(response, 'Stream').map((node): StreamChunk => {
    const name = attr(node, 'Name');
    const content = textOf(node).replace(/\s+/g, '');
    if (name === undefined && content !== '') throw new MalformedResponse('a Stream with content has no Name');
    if (!BASE64.test(content)) throw new MalformedResponse(`Stream ${name ?? '?'} is not base64`);
    return { name: name ?? '', data: Buffer.from(content, 'base64'), end: attr(node, 'End')?.toLowerCase() === 'true' };
  });
  const state = child(response, 'CommandState');
  const done = attr(state, 'State') === COMMAND_STATE_DONE;
  let exitCode: number | undefined;
  if (done) {
    const text = textOf(child(state, 'ExitCode')).trim();
    if (!/^-?\d+$/.test(text)) throw new MalformedResponse(`CommandState Done without an integer ExitCode (got '${text}')`);
    exitCode = Number(text);
  }
  return { streams, done, exitCode };
}

/** Send/Signal/Delete: success is any non-fault envelope; check the expected response element when there is a body. */
export function expectBodyElement(env: SoapEnvelope, name: string | undefined): void {
  if (name === undefined) return; // Delete: empty body
  if (child(env.body, name) === undefined) throw new MalformedResponse(`expected ${name} in the response body`);
}
