// Hand-written WS-Man requests and a node:http client for the server tests: no WinRM client code,
// so the tests see exactly what goes over the wire.
import http from 'node:http';
import { randomUUID } from 'node:crypto';

export const SHELL_NS = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
  socket: unknown;
}

export function basic(user = 'Administrator', password = 'Passw0rd!'): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export function post(
  url: string,
  body: string,
  opts: { headers?: Record<string, string>; agent?: http.Agent; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent: opts.agent,
        signal: opts.signal,
        headers: { 'Content-Type': 'application/soap+xml;charset=UTF-8', Authorization: basic(), ...opts.headers },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(parts).toString('utf8'), socket: res.socket }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export interface EnvOpts {
  action: string;
  shellId?: string;
  body?: string;
  timeout?: string;
  options?: Record<string, string>;
  messageId?: string;
  maxEnvelopeSize?: number;
}

/** A request in MS-WSMV example style (s:/wsa:/wsman: prefixes, s:mustUnderstand). */
export function envelope(o: EnvOpts): string {
  const sel = o.shellId ? `<wsman:SelectorSet><wsman:Selector Name="ShellId">${o.shellId}</wsman:Selector></wsman:SelectorSet>` : '';
  const opts = o.options
    ? `<wsman:OptionSet>${Object.entries(o.options).map(([k, v]) => `<wsman:Option Name="${k}">${v}</wsman:Option>`).join('')}</wsman:OptionSet>`
    : '';
  return (
    `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing" ` +
    `xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="${SHELL_NS}"><s:Header>` +
    `<wsa:To>http://elsewhere:5985/wsman</wsa:To>` +
    `<wsman:ResourceURI s:mustUnderstand="true">${SHELL_NS}/cmd</wsman:ResourceURI>` +
    `<wsa:ReplyTo><wsa:Address s:mustUnderstand="true">http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</wsa:Address></wsa:ReplyTo>` +
    `<wsa:Action s:mustUnderstand="true">${o.action}</wsa:Action>` +
    `<wsman:MaxEnvelopeSize s:mustUnderstand="true">${o.maxEnvelopeSize ?? 153600}</wsman:MaxEnvelopeSize>` +
    `<wsa:MessageID>${o.messageId ?? `uuid:${randomUUID()}`}</wsa:MessageID>` +
    `<wsman:OperationTimeout>${o.timeout ?? 'PT20S'}</wsman:OperationTimeout>${sel}${opts}` +
    `</s:Header><s:Body>${o.body ?? ''}</s:Body></s:Envelope>`
  );
}

export const actions = {
  create: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create',
  delete: 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete',
  command: `${SHELL_NS}/Command`,
  receive: `${SHELL_NS}/Receive`,
  send: `${SHELL_NS}/Send`,
  signal: `${SHELL_NS}/Signal`,
};

export function createShell(codepage = '437'): string {
  return envelope({
    action: actions.create,
    options: { WINRS_NOPROFILE: 'FALSE', WINRS_CODEPAGE: codepage },
    body: '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
  });
}

/** `consoleStdin`: WINRS_CONSOLEMODE_STDIN (pywinrm always sends TRUE; a client that feeds stdin should send FALSE). */
export function command(shellId: string, cmd: string, args: string[] = [], extra: Partial<EnvOpts> = {}, consoleStdin = true): string {
  return envelope({
    action: actions.command,
    shellId,
    options: { WINRS_CONSOLEMODE_STDIN: consoleStdin ? 'TRUE' : 'FALSE', WINRS_SKIP_CMD_SHELL: 'FALSE' },
    body: `<rsp:CommandLine><rsp:Command><![CDATA[${cmd}]]></rsp:Command>${args.map((a) => `<rsp:Arguments>${a}</rsp:Arguments>`).join('')}</rsp:CommandLine>`,
    ...extra,
  });
}

export function receive(shellId: string, commandId: string, timeout = 'PT20S', maxEnvelopeSize?: number): string {
  return envelope({
    action: actions.receive,
    shellId,
    timeout,
    ...(maxEnvelopeSize ? { maxEnvelopeSize } : {}),
    body: `<rsp:Receive SequenceId="0"><rsp:DesiredStream CommandId="${commandId}">stdout stderr</rsp:DesiredStream></rsp:Receive>`,
  });
}

export function send(shellId: string, commandId: string, data: string, end: boolean): string {
  return envelope({
    action: actions.send,
    shellId,
    body: `<rsp:Send><rsp:Stream Name="stdin" CommandId="${commandId}"${end ? ' End="true"' : ''}>${Buffer.from(data).toString('base64')}</rsp:Stream></rsp:Send>`,
  });
}

export function signal(shellId: string, commandId: string, code = 'terminate'): string {
  return envelope({
    action: actions.signal,
    shellId,
    body: `<rsp:Signal CommandId="${commandId}"><rsp:Code>${SHELL_NS}/signal/${code}</rsp:Code></rsp:Signal>`,
  });
}

export function del(shellId: string): string {
  return envelope({ action: actions.delete, shellId });
}

// Response readers: regexes are enough for our own, known output shapes.
export const pick = (xml: string, re: RegExp): string | undefined => re.exec(xml)?.[1];
export const shellIdOf = (xml: string): string => pick(xml, /<w:Selector Name="ShellId">([^<]+)</) ?? '';
export const commandIdOf = (xml: string): string => pick(xml, /<rsp:CommandId>([^<]+)</) ?? '';
export const faultCodeOf = (xml: string): string | undefined => pick(xml, /<f:WSManFault [^>]*Code="(\d+)"/);

export interface Received {
  stdout: Buffer;
  stderr: Buffer;
  streamElements: number;
  done: boolean;
  exitCode: number | undefined;
}

export function parseReceive(xml: string): Received {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let streamElements = 0;
  for (const m of xml.matchAll(/<rsp:Stream Name="(\w+)"[^>]*?(?:\/>|>([^<]*)<\/rsp:Stream>)/g)) {
    if (!m[2]) continue;
    streamElements++;
    (m[1] === 'stdout' ? out : err).push(Buffer.from(m[2], 'base64'));
  }
  const done = xml.includes('CommandState/Done');
  const code = pick(xml, /<rsp:ExitCode>(-?\d+)</);
  return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), streamElements, done, exitCode: code === undefined ? undefined : Number(code) };
}
