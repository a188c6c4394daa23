// Every recorded Windows response in test/fixtures/winrm parses into the right typed value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCommandId, readEnvelope, readReceive, readShellId } from '../../src/winrm/response.ts';
import { readFault } from '../../src/winrm/faults.ts';
import { expectBodyElement } from '../../src/winrm/response.ts';
import { OutputCollector } from '../../src/winrm/streams.ts';
import { LIMIT_DEFAULTS } from '../../src/winrm/limits.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixturesDir = path.resolve(repoRoot, 'test/fixtures/winrm');

function fixture(name: string): string {
  const file = path.join(fixturesDir, name);
  assert.ok(existsSync(file), `fixture missing: ${file} (the recorded fixtures live in test/fixtures/winrm)`);
  return readFileSync(file, 'utf8');
}

test('fixtures directory is present with every response we cover', () => {
  assert.ok(existsSync(fixturesDir), `fixtures directory missing: ${fixturesDir}`);
  const files = readdirSync(fixturesDir).filter((f) => f.endsWith('.xml')).sort();
  assert.deepEqual(files, [
    'command-response-2.pywinrm.xml', 'command-response.pywinrm.xml', 'create-response.pywinrm.xml', 'delete-response.pywinrm.xml',
    'fault-internalerror-wmierror.pywinrm.xml', 'fault-mustunderstand.pywinrm.xml', 'fault-schemavalidationerror-2150858817.pywinrm.xml',
    'fault-timedout-2150858793.pywinrm.xml', 'receive-response-done-after-stdin.pywinrm.xml', 'receive-response-done-ipconfig.pywinrm.xml',
    'receive-response-done-ps-stderr-clixml-exit1.pywinrm.xml', 'send-response.pywinrm.xml', 'signal-terminate-response-2.pywinrm.xml',
    'signal-terminate-response.pywinrm.xml',
  ]);
});

test('create response -> ShellId, with header ids', () => {
  const env = readEnvelope(fixture('create-response.pywinrm.xml'));
  assert.equal(readShellId(env), '11111111-1111-1111-1111-111111111113');
  assert.equal(env.relatesTo, 'uuid:11111111-1111-1111-1111-111111111111');
  assert.equal(env.action, 'http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse');
  assert.equal(readFault(env), undefined);
});

test('command responses -> CommandId', () => {
  assert.equal(readCommandId(readEnvelope(fixture('command-response.pywinrm.xml'))), '11111111-1111-1111-1111-111111111114');
  assert.equal(readCommandId(readEnvelope(fixture('command-response-2.pywinrm.xml'))), '11111111-1111-1111-1111-111111111111');
});

function collect(name: string): { stdout: string; stderr: string; exitCode: number; done: boolean } {
  const chunk = readReceive(readEnvelope(fixture(name)));
  const out = new OutputCollector('fixture', LIMIT_DEFAULTS.maxOutputBytes);
  for (const s of chunk.streams) out.push(s.name, s.data);
  const result = out.finish(chunk.exitCode ?? -1);
  return { stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode, done: chunk.done };
}

test('receive ipconfig -> stdout, Done, exit 0', () => {
  const r = collect('receive-response-done-ipconfig.pywinrm.xml');
  assert.equal(r.done, true);
  assert.equal(r.exitCode, 0);
  assert.equal(r.stderr, '');
  assert.match(r.stdout, /^\r\nWindows IP Configuration\r\n/);
  assert.match(r.stdout, /Host Name \. \. \. \. \. \. \. \. \. \. \. \. : WINDOWS-HOST/);
  assert.match(r.stdout, /IPv4 Address\. \. \. \. \. \. \. \. \. \. \. : 173\.185\.153\.93\(Preferred\)/);
});

test('receive after stdin -> two stdout chunks joined, End streams carry nothing, exit 0', () => {
  const chunk = readReceive(readEnvelope(fixture('receive-response-done-after-stdin.pywinrm.xml')));
  assert.equal(chunk.streams.length, 4);
  assert.deepEqual(chunk.streams.map((s) => [s.name, s.end]), [['stdout', false], ['stdout', false], ['stdout', true], ['stderr', true]]);
  const r = collect('receive-response-done-after-stdin.pywinrm.xml');
  assert.equal(r.stdout, 'Microsoft Windows [Version 10.0.17763.107]\r\n(c) 2018 Microsoft Corporation. All rights reserved.\r\n\r\nC:\\Users\\rweber>echo hello world && exit\r\nhello world \r\n');
  assert.equal(r.exitCode, 0);
});

test('receive PowerShell Write-Error -> CLIXML on stderr, stdout empty, exit 1', () => {
  const r = collect('receive-response-done-ps-stderr-clixml-exit1.pywinrm.xml');
  assert.equal(r.done, true);
  assert.equal(r.exitCode, 1);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.startsWith('#< CLIXML\r\n<Objs Version="1.1.0.1"'), r.stderr.slice(0, 40));
  assert.match(r.stderr, /Write-Error "Error"/);
});

test('send, signal and delete responses are plain successes', () => {
  const send = readEnvelope(fixture('send-response.pywinrm.xml'));
  assert.equal(readFault(send), undefined);
  expectBodyElement(send, 'SendResponse');
  for (const name of ['signal-terminate-response.pywinrm.xml', 'signal-terminate-response-2.pywinrm.xml']) {
    const env = readEnvelope(fixture(name));
    assert.equal(readFault(env), undefined);
    expectBodyElement(env, 'SignalResponse');
  }
  const del = readEnvelope(fixture('delete-response.pywinrm.xml'));
  assert.equal(readFault(del), undefined);
  assert.equal(del.relatesTo, 'uuid:11111111-1111-1111-1111-111111111111');
  assert.equal(del.action, 'http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse');
});

test('fault: TimedOut 2150858793', () => {
  const f = readFault(readEnvelope(fixture('fault-timedout-2150858793.pywinrm.xml')));
  assert.ok(f);
  assert.equal(f.code, 2150858793);
  assert.equal(f.subcode, 'w:TimedOut');
  assert.equal(f.soapCode, 's:Receiver');
  assert.equal(f.machine, 'server2022.domain.test');
  assert.match(f.reason, /within the time specified in OperationTimeout/);
});

test('fault: SchemaValidationError 2150858817', () => {
  const f = readFault(readEnvelope(fixture('fault-schemavalidationerror-2150858817.pywinrm.xml')));
  assert.ok(f);
  assert.equal(f.code, 2150858817);
  assert.equal(f.subcode, 'w:SchemaValidationError');
  assert.equal(f.soapCode, 's:Sender');
  assert.equal(f.machine, 'SERVER2008.domain.local');
  assert.equal(f.reason, 'Reason text.');
  assert.equal(f.faultMessage, 'Detail message.');
});

test('fault: MSFT_WmiError detail -> error_Code as code, WMI message', () => {
  const f = readFault(readEnvelope(fixture('fault-internalerror-wmierror.pywinrm.xml')));
  assert.ok(f);
  assert.equal(f.code, 2150859174);
  assert.equal(f.subcode, 'w:InternalError');
  assert.equal(f.soapCode, 's:Receiver');
  assert.equal(f.machine, undefined);
  assert.equal(f.reason, 'Reason text.');
  assert.equal(f.faultMessage, 'WMI Message.');
});

test('fault: s:MustUnderstand names the header not understood', () => {
  const f = readFault(readEnvelope(fixture('fault-mustunderstand.pywinrm.xml')));
  assert.ok(f);
  assert.equal(f.code, undefined);
  assert.equal(f.subcode, undefined);
  assert.equal(f.soapCode, 's:MustUnderstand');
  assert.match(f.reason, /Test reason\./);
  assert.match(f.reason, /header not understood: wsman:ResourceUri/);
});
