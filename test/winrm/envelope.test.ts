// Request envelopes: ids, escaping, options, namespaces; and the parser's refusal to coerce numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  commandEnvelope, createShellEnvelope, deleteShellEnvelope, formatDuration, receiveEnvelope, sendEnvelope, signalTerminateEnvelope,
} from '../../src/winrm/envelope.ts';
import { readEnvelope, readReceive } from '../../src/winrm/response.ts';
import { attr, children, parseXml, path, textOf } from '../../src/winrm/xml.ts';

const settings = { to: 'https://win1.example:5986/wsman', operationTimeoutSec: 20 };

test('every envelope has a fresh uuid: MessageID and the standard headers', () => {
  const envs = [
    createShellEnvelope(settings),
    commandEnvelope(settings, 'S1', 'ipconfig', ['/all']),
    sendEnvelope(settings, 'S1', 'C1', Buffer.from('x'), true),
    receiveEnvelope(settings, 'S1', 'C1'),
    signalTerminateEnvelope(settings, 'S1', 'C1'),
    deleteShellEnvelope(settings, 'S1'),
  ];
  const ids = new Set(envs.map((e) => e.messageId));
  assert.equal(ids.size, envs.length);
  for (const env of envs) {
    assert.match(env.messageId, /^uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const doc = parseXml(env.xml);
    assert.ok(doc, `${env.step} is well-formed`);
    const header = path(doc, 'Envelope', 'Header');
    assert.equal(textOf(path(header, 'MessageID')), env.messageId);
    assert.equal(textOf(path(header, 'MaxEnvelopeSize')), '153600');
    assert.equal(textOf(path(header, 'OperationTimeout')), 'PT20S');
    assert.equal(attr(path(header, 'Locale'), 'lang'), 'en-US');
    assert.equal(textOf(path(header, 'ResourceURI')), 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd');
    assert.equal(textOf(path(header, 'To')), settings.to);
    assert.match(env.xml, /xmlns:s="http:\/\/www\.w3\.org\/2003\/05\/soap-envelope"/);
    assert.match(env.xml, /xmlns:a="http:\/\/schemas\.xmlsoap\.org\/ws\/2004\/08\/addressing"/);
    assert.match(env.xml, /xmlns:w="http:\/\/schemas\.dmtf\.org\/wbem\/wsman\/1\/wsman\.xsd"/);
    if (env.step !== 'create') assert.equal(attr(children(path(header, 'SelectorSet'), 'Selector')[0], 'Name'), 'ShellId');
  }
});

test('create asks for code page 65001 and no profile; command via cmd.exe, pipe-mode stdin when we send stdin', () => {
  const optionsOf = (xml: string): Record<string, string> =>
    Object.fromEntries(children(path(parseXml(xml), 'Envelope', 'Header', 'OptionSet'), 'Option').map((o) => [attr(o, 'Name') ?? '', textOf(o)]));
  assert.deepEqual(optionsOf(createShellEnvelope(settings).xml), { WINRS_NOPROFILE: 'TRUE', WINRS_CODEPAGE: '65001' });
  assert.deepEqual(optionsOf(commandEnvelope(settings, 'S', 'c', []).xml), { WINRS_CONSOLEMODE_STDIN: 'TRUE', WINRS_SKIP_CMD_SHELL: 'FALSE' });
  // Console mode may never report the end of input to powershell.exe: stdin we send goes in pipe mode.
  assert.deepEqual(optionsOf(commandEnvelope(settings, 'S', 'c', [], true).xml), { WINRS_CONSOLEMODE_STDIN: 'FALSE', WINRS_SKIP_CMD_SHELL: 'FALSE' });
});

test('command and arguments are escaped and kept apart', () => {
  const env = commandEnvelope(settings, 'S', 'echo', ['a&b<c>', `"q" 'x'`]);
  const line = path(parseXml(env.xml), 'Envelope', 'Body', 'CommandLine');
  assert.equal(textOf(path(line, 'Command')), 'echo');
  assert.deepEqual(children(line, 'Arguments').map(textOf), ['a&b<c>', `"q" 'x'`]);
  assert.ok(!env.xml.includes('a&b<c>'));
});

test('send carries base64 stdin with End="true"; signal is terminate; delete has an empty body', () => {
  const send = sendEnvelope(settings, 'S', 'C', Buffer.from('héllo'), true);
  const stream = children(path(parseXml(send.xml), 'Envelope', 'Body', 'Send'), 'Stream')[0];
  assert.equal(attr(stream, 'End'), 'true');
  assert.equal(attr(stream, 'Name'), 'stdin');
  assert.equal(Buffer.from(textOf(stream), 'base64').toString('utf8'), 'héllo');
  assert.match(signalTerminateEnvelope(settings, 'S', 'C').xml, /<rsp:Code>http:\/\/schemas\.microsoft\.com\/wbem\/wsman\/1\/windows\/shell\/signal\/terminate<\/rsp:Code>/);
  assert.match(deleteShellEnvelope(settings, 'S').xml, /<s:Body\/>/);
});

test('OperationTimeout formatting', () => {
  assert.equal(formatDuration(20), 'PT20S');
  assert.equal(formatDuration(0.5), 'PT0.5S');
});

test('no numeric coercion: a "0000" chunk stays base64, "1e10" stays text, exit codes exact', () => {
  const xml = `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"><s:Body><rsp:ReceiveResponse>
    <rsp:Stream Name="stdout" CommandId="C">0000</rsp:Stream><rsp:Stream Name="stdout" CommandId="C">1e10</rsp:Stream>
    <rsp:CommandState CommandId="C" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>3221225477</rsp:ExitCode></rsp:CommandState>
  </rsp:ReceiveResponse></s:Body></s:Envelope>`;
  const chunk = readReceive(readEnvelope(xml));
  assert.deepEqual(chunk.streams[0]?.data, Buffer.from('0000', 'base64'));
  assert.deepEqual(chunk.streams[1]?.data, Buffer.from('1e10', 'base64'));
  assert.equal(chunk.exitCode, 3221225477);
});

test('prefix-agnostic: other prefixes and a default namespace parse the same', () => {
  const xml = `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><ReceiveResponse xmlns="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">
    <Stream Name="stdout">aGk=</Stream><CommandState State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><ExitCode>0</ExitCode></CommandState>
  </ReceiveResponse></env:Body></env:Envelope>`;
  const chunk = readReceive(readEnvelope(xml));
  assert.equal(chunk.streams[0]?.data.toString(), 'hi');
  assert.equal(chunk.done, true);
});

test('entities are decoded when a document has them, and text without "&" is left as it is', () => {
  const withEntities = parseXml('<s:Envelope xmlns:s="x"><s:Body><m>a &amp; b &lt;c&gt;&#xD;&#xA;&#65;</m></s:Body></s:Envelope>');
  assert.equal(textOf(path(withEntities, 'Envelope', 'Body', 'm')), 'a & b <c>\r\nA');
  const plain = parseXml('<s:Envelope xmlns:s="x"><s:Body><m>QUJD+/==</m></s:Body></s:Envelope>');
  assert.equal(textOf(path(plain, 'Envelope', 'Body', 'm')), 'QUJD+/==');
});
