// Request envelopes for the WinRS shell operations (winrm-protocol.md §2.3-2.10).
// Each call mints a fresh `uuid:` MessageID so responses can be matched by RelatesTo.
import { randomUUID } from 'node:crypto';
import { ACTION, ANONYMOUS, MAX_ENVELOPE_SIZE, NS, RESOURCE_URI_CMD, SIGNAL_TERMINATE } from './namespaces.ts';
import { escapeXml } from './xml.ts';
import type { WinrmStep } from './types.ts';

export interface Envelope {
  step: WinrmStep;
  messageId: string;
  xml: string;
}

export interface EnvelopeSettings {
  /** Endpoint URL for a:To (Windows ignores it, but it should be the truth). */
  to: string;
  operationTimeoutSec: number;
}

/** xs:duration for OperationTimeout, e.g. 20 -> PT20S, 0.5 -> PT0.5S. */
export function formatDuration(seconds: number): string {
  return `PT${Number(seconds.toFixed(3))}S`;
}

function build(
  step: WinrmStep,
  settings: EnvelopeSettings,
  parts: { shellId?: string; options?: Record<string, string>; body: string },
): Envelope {
  const messageId = `uuid:${randomUUID()}`;
  const selector = parts.shellId === undefined
    ? ''
    : `<w:SelectorSet><w:Selector Name="ShellId">${escapeXml(parts.shellId)}</w:Selector></w:SelectorSet>`;
  const options = parts.options === undefined
    ? ''
    : `<w:OptionSet xmlns:xsi="${NS.xsi}">${Object.entries(parts.options)
        .map(([name, value]) => `<w:Option Name="${escapeXml(name)}">${escapeXml(value)}</w:Option>`)
        .join('')}</w:OptionSet>`;
  const xml =
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<s:Envelope xmlns:s="${NS.s}" xmlns:a="${NS.a}" xmlns:w="${NS.w}" xmlns:p="${NS.p}" xmlns:rsp="${NS.rsp}">` +
    `<s:Header>` +
    `<a:To>${escapeXml(settings.to)}</a:To>` +
    `<a:ReplyTo><a:Address s:mustUnderstand="true">${ANONYMOUS}</a:Address></a:ReplyTo>` +
    `<a:Action s:mustUnderstand="true">${ACTION[step]}</a:Action>` +
    `<a:MessageID>${messageId}</a:MessageID>` +
    `<w:ResourceURI s:mustUnderstand="true">${RESOURCE_URI_CMD}</w:ResourceURI>` +
    `<w:MaxEnvelopeSize s:mustUnderstand="true">${MAX_ENVELOPE_SIZE}</w:MaxEnvelopeSize>` +
    `<w:OperationTimeout>${formatDuration(settings.operationTimeoutSec)}</w:OperationTimeout>` +
    `<w:Locale xml:lang="en-US" s:mustUnderstand="false"/>` +
    `<p:DataLocale xml:lang="en-US" s:mustUnderstand="false"/>` +
    selector +
    options +
    `</s:Header>` +
    (parts.body === '' ? '<s:Body/>' : `<s:Body>${parts.body}</s:Body>`) +
    `</s:Envelope>`;
  return { step, messageId, xml };
}

/** Create: UTF-8 console (65001) so output decodes as UTF-8; no user profile load (faster, fewer side effects). */
export function createShellEnvelope(settings: EnvelopeSettings): Envelope {
  return build('create', settings, {
    options: { WINRS_NOPROFILE: 'TRUE', WINRS_CODEPAGE: '65001' },
    body: '<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>',
  });
}

/**
 * Command: runs under cmd.exe (SKIP_CMD_SHELL=FALSE), so the 8191-character limit applies; arguments go
 * verbatim. A command we feed stdin gets pipe-mode stdin (CONSOLEMODE_STDIN=FALSE, as Ansible's winrm
 * plugin does): in console mode powershell.exe may never see the end of input.
 */
export function commandEnvelope(settings: EnvelopeSettings, shellId: string, command: string, args: readonly string[], sendsStdin = false): Envelope {
  const argXml = args.map((arg) => `<rsp:Arguments>${escapeXml(arg)}</rsp:Arguments>`).join('');
  return build('command', settings, {
    shellId,
    options: { WINRS_CONSOLEMODE_STDIN: sendsStdin ? 'FALSE' : 'TRUE', WINRS_SKIP_CMD_SHELL: 'FALSE' },
    body: `<rsp:CommandLine><rsp:Command>${escapeXml(command)}</rsp:Command>${argXml}</rsp:CommandLine>`,
  });
}

export function sendEnvelope(settings: EnvelopeSettings, shellId: string, commandId: string, chunk: Buffer, end: boolean): Envelope {
  const endAttr = end ? ' End="true"' : '';
  return build('send', settings, {
    shellId,
    body: `<rsp:Send><rsp:Stream Name="stdin" CommandId="${escapeXml(commandId)}"${endAttr}>${chunk.toString('base64')}</rsp:Stream></rsp:Send>`,
  });
}

export function receiveEnvelope(settings: EnvelopeSettings, shellId: string, commandId: string): Envelope {
  return build('receive', settings, {
    shellId,
    body: `<rsp:Receive><rsp:DesiredStream CommandId="${escapeXml(commandId)}">stdout stderr</rsp:DesiredStream></rsp:Receive>`,
  });
}

export function signalTerminateEnvelope(settings: EnvelopeSettings, shellId: string, commandId: string): Envelope {
  return build('signal', settings, {
    shellId,
    body: `<rsp:Signal CommandId="${escapeXml(commandId)}"><rsp:Code>${SIGNAL_TERMINATE}</rsp:Code></rsp:Signal>`,
  });
}

export function deleteShellEnvelope(settings: EnvelopeSettings, shellId: string): Envelope {
  return build('delete', settings, { shellId, body: '' });
}
