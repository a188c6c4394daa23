// Request parsing (pywinrm's recorded requests and other clients' shapes) and the pure helpers.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseCommandBody, parseCreateBody, parseReceiveBody, parseRequest, parseSendBody, parseSignalBody, RequestError } from '../../src/lab/wsman/request.ts';
import { parseDuration } from '../../src/lab/wsman/duration.ts';
import { planCommand, joinCommandLine } from '../../src/lab/wsman/cmd.ts';
import { encodeText } from '../../src/lab/wsman/codepage.ts';
import { OutputQueue } from '../../src/lab/wsman/chunks.ts';
import { parseXml } from '../../src/lab/wsman/xml.ts';

const dir = new URL('../fixtures/winrm/requests/', import.meta.url);
const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(name, dir)), 'utf8');
const SHELL = 'http://schemas.microsoft.com/wbem/wsman/1/windows/shell';

describe('request parser on pywinrm requests', () => {
  test('create', () => {
    const r = parseRequest(fixture('create-request.pywinrm.xml'));
    assert.equal(r.action, 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Create');
    assert.equal(r.messageId, 'uuid:11111111-1111-1111-1111-111111111111');
    assert.equal(r.to, 'http://windows-host:5985/wsman');
    assert.equal(r.resourceUri, `${SHELL}/cmd`);
    assert.equal(r.operationTimeoutMs, 20_000);
    assert.equal(r.maxEnvelopeSize, 153_600);
    assert.equal(r.shellId, undefined);
    assert.equal(r.options.get('WINRS_CODEPAGE'), '437');
    assert.equal(r.options.get('WINRS_NOPROFILE'), 'FALSE');
    const b = parseCreateBody(r.body);
    assert.deepEqual([b.inputStreams, b.outputStreams], [['stdin'], ['stdout', 'stderr']]);
  });

  test('command with arguments, and run_ps -encodedcommand', () => {
    const r = parseRequest(fixture('command-request-with-args.pywinrm.xml'));
    assert.equal(r.action, `${SHELL}/Command`);
    assert.equal(r.shellId, '11111111-1111-1111-1111-111111111113');
    assert.equal(r.options.get('WINRS_SKIP_CMD_SHELL'), 'FALSE');
    assert.deepEqual(parseCommandBody(r.body), { commandId: undefined, command: 'ipconfig', args: ['/all'] });
    const ps = parseCommandBody(parseRequest(fixture('command-request-run_ps-encodedcommand.pywinrm.xml')).body);
    const plan = planCommand(joinCommandLine(ps.command, ps.args), { computerName: 'H', username: 'u', skipCmdShell: false });
    assert.deepEqual(plan, { kind: 'powershell', script: 'Write-Error "Error"' });
  });

  test('receive, send, signal, delete', () => {
    const rc = parseRequest(fixture('receive-request.pywinrm.xml'));
    assert.deepEqual(parseReceiveBody(rc.body), { commandId: '11111111-1111-1111-1111-111111111114', streams: ['stdout', 'stderr'] });
    const sd = parseSendBody(parseRequest(fixture('send-request.pywinrm.xml')).body);
    assert.equal(sd.chunks.length, 1);
    assert.equal(sd.chunks[0]?.data.toString(), 'echo "hello world" && exit\r\n');
    assert.equal(sd.chunks[0]?.end, false);
    assert.equal(sd.chunks[0]?.name, 'stdin');
    const sg = parseSignalBody(parseRequest(fixture('signal-terminate-request.pywinrm.xml')).body);
    assert.deepEqual(sg, { commandId: '11111111-1111-1111-1111-111111111114', code: 'terminate' });
    const dl = parseRequest(fixture('delete-request.pywinrm.xml'));
    assert.equal(dl.action, 'http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete');
    assert.equal(dl.shellId, '11111111-1111-1111-1111-111111111113');
  });
});

describe('request parser on other shapes', () => {
  test('default namespaces, ShellID in other case, CDATA, several Arguments, numbers stay strings', () => {
    const xml =
      `<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Header>` +
      `<Action xmlns="http://schemas.xmlsoap.org/ws/2004/08/addressing">${SHELL}/Command</Action>` +
      `<Selector xmlns="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" Name="ShellID">0001</Selector>` +
      `<SelectorSet xmlns="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><Selector Name="SHELLID">0001</Selector></SelectorSet>` +
      `<OperationTimeout xmlns="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd">PT60.000S</OperationTimeout>` +
      `</Header><Body><CommandLine xmlns="${SHELL}" CommandId="00000001"><Command><![CDATA[echo <a & b>]]></Command>` +
      `<Arguments>1e10</Arguments><Arguments>0000</Arguments></CommandLine></Body></Envelope>`;
    const r = parseRequest(xml);
    assert.equal(r.shellId, '0001');
    assert.equal(r.operationTimeoutMs, 60_000);
    assert.equal(r.messageId, undefined);
    assert.deepEqual(parseCommandBody(r.body), { commandId: '00000001', command: 'echo <a & b>', args: ['1e10', '0000'] });
  });

  test('malformed input throws RequestError', () => {
    for (const bad of ['', 'nope', '<a><b></a>', '<x:Envelope/>', '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"/>']) {
      assert.throws(() => parseRequest(bad), RequestError, bad);
    }
  });
});

describe('helpers', () => {
  test('XML: entities decoded when the document has any; text without "&" kept exactly', () => {
    assert.equal(parseXml('<a xmlns="u">x &amp; &lt;y&gt; &#x42;</a>').text, 'x & <y> B');
    assert.equal(parseXml('<a xmlns="u">  QUJD+/==\n</a>').text, '  QUJD+/==\n');
  });

  test('xs:duration', () => {
    assert.equal(parseDuration('PT20S'), 20_000);
    assert.equal(parseDuration('PT0.3S'), 300);
    assert.equal(parseDuration('PT60.000S'), 60_000);
    assert.equal(parseDuration('P0DT0H1M30S'), 90_000);
    assert.equal(parseDuration('P1D'), 86_400_000);
    for (const bad of ['', 'P', 'PT', '20', '-PT1S', 'PTS']) assert.equal(parseDuration(bad), undefined, bad);
  });

  test('cmd.exe emulation', () => {
    const ctx = { computerName: 'WORK-PC', username: 'Admin', skipCmdShell: false };
    const out = (line: string) => planCommand(line, ctx);
    assert.deepEqual(out('hostname'), { kind: 'result', stdout: 'WORK-PC\r\n', stderr: '', exitCode: 0 });
    assert.deepEqual(out('HOSTNAME.EXE'), { kind: 'result', stdout: 'WORK-PC\r\n', stderr: '', exitCode: 0 });
    assert.deepEqual(out('whoami'), { kind: 'result', stdout: 'work-pc\\admin\r\n', stderr: '', exitCode: 0 });
    assert.deepEqual(out('echo'), { kind: 'result', stdout: 'ECHO is on.\r\n', stderr: '', exitCode: 0 });
    assert.deepEqual(out('echo.'), { kind: 'result', stdout: '\r\n', stderr: '', exitCode: 0 });
    assert.deepEqual(out('echo  two  spaces'), { kind: 'result', stdout: ' two  spaces\r\n', stderr: '', exitCode: 0 });
    assert.deepEqual(out('cmd /c echo hi'), { kind: 'result', stdout: 'hi\r\n', stderr: '', exitCode: 0 });
    assert.deepEqual(out('cmd.exe /s /c "hostname"'), { kind: 'result', stdout: 'WORK-PC\r\n', stderr: '', exitCode: 0 });
    assert.deepEqual(out('exit /b 7'), { kind: 'result', stdout: '', stderr: '', exitCode: 7 });
    const nr = out('ipconfig /all');
    assert.equal(nr.kind === 'result' && nr.stderr, "'ipconfig' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n");
    const script = 'Get-Date; "é"';
    const b64 = Buffer.from(script, 'utf16le').toString('base64');
    for (const flag of ['-EncodedCommand', '-encodedcommand', '-enc', '-e', '-ec', '/EncodedCommand']) {
      for (const exe of ['powershell', 'PowerShell.exe', 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe']) {
        assert.deepEqual(out(`${exe} -NoProfile -NonInteractive -ExecutionPolicy Bypass -NoLogo -InputFormat Text ${flag} ${b64}`), { kind: 'powershell', script }, `${exe} ${flag}`);
      }
    }
    assert.deepEqual(out('powershell -Command Get-Date'), { kind: 'powershell', script: 'Get-Date' });
    const long = out(`echo ${'x'.repeat(8200)}`);
    assert.deepEqual(long, { kind: 'result', stdout: '', stderr: 'The command line is too long.\r\n', exitCode: 1 });
    assert.equal(planCommand(`echo ${'x'.repeat(8200)}`, { ...ctx, skipCmdShell: true }).kind, 'result');
    assert.equal(joinCommandLine('echo', ['a', 'b']), 'echo a b');
  });

  test('code page 437 table and 65001', () => {
    assert.deepEqual(encodeText('Ça ½ ✓ ░', 437), Buffer.from([0x80, 0x61, 0x20, 0xab, 0x20, 0x3f, 0x20, 0xb0]));
    assert.deepEqual(encodeText('Ça ✓', 65001), Buffer.from('Ça ✓', 'utf8'));
  });

  test('output chunking: 8 KiB per element, at most 4 per batch, envelope budget', () => {
    const q = new OutputQueue();
    q.push('stdout', Buffer.alloc(40_000, 0x61));
    q.push('stderr', Buffer.alloc(10, 0x62));
    const first = q.take(['stdout', 'stderr'], 153_600);
    assert.equal(first.length, 4);
    assert.ok(first.every((c) => c.data.length === 8192 && c.name === 'stdout'));
    const second = q.take(['stdout', 'stderr'], 153_600);
    assert.deepEqual(second.map((c) => [c.name, c.data.length]), [['stdout', 40_000 - 4 * 8192], ['stderr', 10]]);
    assert.equal(q.hasOutput(['stdout', 'stderr']), false);
    q.push('stdout', Buffer.alloc(20_000));
    const small = q.take(['stdout'], 8192);
    assert.ok(small.reduce((n, c) => n + Math.ceil(c.data.length / 3) * 4 + 160, 0) <= 8192 - 2048);
  });
});
