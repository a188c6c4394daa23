// Parses a WS-Man request envelope (any prefixes) into the header fields the server acts on,
// plus one body parser per Remote Shell operation. Malformed input throws RequestError,
// which the server turns into a SchemaValidationError fault.
import { NS } from './namespaces.ts';
import { parseDuration } from './duration.ts';
import { attr, child, childrenNamed, parseXml, XmlSyntaxError } from './xml.ts';
import type { XmlElement } from './xml.ts';

export class RequestError extends Error {}

export interface WsmanRequest {
  action: string;
  /** Verbatim, for RelatesTo; undefined if the client sent none. */
  messageId: string | undefined;
  to: string | undefined;
  resourceUri: string | undefined;
  /** Selector Name="ShellId" (any case). */
  shellId: string | undefined;
  operationTimeoutMs: number | undefined;
  maxEnvelopeSize: number | undefined;
  /** w:OptionSet, names upper-cased. */
  options: Map<string, string>;
  body: XmlElement;
}

export function parseRequest(xml: string): WsmanRequest {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw new RequestError(`malformed XML: ${e.message}`);
    throw e;
  }
  if (root.ns !== NS.s || root.local !== 'Envelope') throw new RequestError('root element is not a SOAP 1.2 Envelope');
  const header = child(root, NS.s, 'Header');
  const body = child(root, NS.s, 'Body');
  if (!header || !body) throw new RequestError('the envelope needs a Header and a Body');
  const action = text(child(header, NS.a, 'Action'));
  if (!action) throw new RequestError('missing a:Action');

  const selector = childrenNamed(child(header, NS.w, 'SelectorSet'), NS.w, 'Selector').find(
    (s) => attr(s, 'Name')?.toLowerCase() === 'shellid',
  );
  const timeoutText = text(child(header, NS.w, 'OperationTimeout'));
  const sizeText = text(child(header, NS.w, 'MaxEnvelopeSize'));
  const options = new Map<string, string>();
  for (const o of childrenNamed(child(header, NS.w, 'OptionSet'), NS.w, 'Option')) {
    const name = attr(o, 'Name');
    if (name) options.set(name.toUpperCase(), o.text.trim());
  }
  return {
    action,
    messageId: text(child(header, NS.a, 'MessageID')),
    to: text(child(header, NS.a, 'To')),
    resourceUri: text(child(header, NS.w, 'ResourceURI')),
    shellId: selector ? selector.text.trim() : undefined,
    operationTimeoutMs: timeoutText === undefined ? undefined : parseDuration(timeoutText),
    maxEnvelopeSize: sizeText !== undefined && /^\d+$/.test(sizeText) ? Number(sizeText) : undefined,
    options,
    body,
  };
}

function text(el: XmlElement | undefined): string | undefined {
  return el ? el.text.trim() : undefined;
}

export interface CreateBody {
  inputStreams: string[];
  outputStreams: string[];
  workingDirectory: string | undefined;
  environment: Map<string, string>;
}

export function parseCreateBody(body: XmlElement): CreateBody {
  const shell = child(body, NS.rsp, 'Shell');
  const words = (el: XmlElement | undefined, dflt: string[]): string[] => {
    const t = el?.text.trim();
    return t ? t.split(/\s+/) : dflt;
  };
  const environment = new Map<string, string>();
  for (const v of childrenNamed(child(shell, NS.rsp, 'Environment'), NS.rsp, 'Variable')) {
    const name = attr(v, 'Name');
    if (name) environment.set(name, v.text);
  }
  return {
    inputStreams: words(child(shell, NS.rsp, 'InputStreams'), ['stdin']),
    outputStreams: words(child(shell, NS.rsp, 'OutputStreams'), ['stdout', 'stderr']),
    workingDirectory: text(child(shell, NS.rsp, 'WorkingDirectory')),
    environment,
  };
}

export interface CommandBody {
  commandId: string | undefined;
  command: string;
  args: string[];
}

export function parseCommandBody(body: XmlElement): CommandBody {
  const line = child(body, NS.rsp, 'CommandLine');
  if (!line) throw new RequestError('missing rsp:CommandLine');
  const cmd = child(line, NS.rsp, 'Command');
  return {
    commandId: attr(line, 'CommandId'),
    // Not trimmed of inner content: cmd.exe sees the text as sent (CDATA included).
    command: cmd ? cmd.text.trim() : '',
    args: childrenNamed(line, NS.rsp, 'Arguments').map((a) => a.text),
  };
}

export interface ReceiveBody {
  commandId: string | undefined;
  streams: string[];
}

export function parseReceiveBody(body: XmlElement): ReceiveBody {
  const receive = child(body, NS.rsp, 'Receive');
  if (!receive) throw new RequestError('missing rsp:Receive');
  const desired = child(receive, NS.rsp, 'DesiredStream');
  const t = desired?.text.trim();
  return { commandId: attr(desired, 'CommandId'), streams: t ? t.split(/\s+/) : ['stdout', 'stderr'] };
}

export interface SendBody {
  chunks: { name: string; commandId: string | undefined; data: Buffer; end: boolean }[];
}

export function parseSendBody(body: XmlElement): SendBody {
  const send = child(body, NS.rsp, 'Send');
  if (!send) throw new RequestError('missing rsp:Send');
  return {
    chunks: childrenNamed(send, NS.rsp, 'Stream').map((s) => {
      const b64 = s.text.replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new RequestError('stream content is not base64');
      return {
        name: attr(s, 'Name') ?? 'stdin',
        commandId: attr(s, 'CommandId'),
        data: Buffer.from(b64, 'base64'),
        end: attr(s, 'End')?.toLowerCase() === 'true',
      };
    }),
  };
}

export interface SignalBody {
  commandId: string | undefined;
  /** Lower-case last path segment of the code URI: terminate, ctrl_c, ctrl_break. */
  code: string;
}

export function parseSignalBody(body: XmlElement): SignalBody {
  const signal = child(body, NS.rsp, 'Signal');
  if (!signal) throw new RequestError('missing rsp:Signal');
  const code = text(child(signal, NS.rsp, 'Code')) ?? '';
  return { commandId: attr(signal, 'CommandId'), code: code.slice(code.lastIndexOf('/') + 1).toLowerCase() };
}
