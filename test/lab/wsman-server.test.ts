// The WS-Man server over real HTTP on 127.0.0.1, driven by hand-written envelopes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startWsmanServer } from '../../src/lab/wsman/index.ts';
import type { WsmanServer } from '../../src/lab/wsman/index.ts';
import { bigOutput, encodePs, fakeHost } from '../fakes/lab-wsman-host.ts';
import type { FakeHost } from '../fakes/lab-wsman-host.ts';
import {
  actions, basic, command, commandIdOf, createShell, del, envelope, faultCodeOf, parseReceive, pick, post, receive, send, shellIdOf, signal,
} from '../fakes/lab-wsman-raw.ts';

async function open(url: string, codepage = '437'): Promise<string> {
  const r = await post(url, createShell(codepage));
  assert.equal(r.status, 200, r.body);
  return shellIdOf(r.body);
}

async function run(url: string, shellId: string, cmd: string, args: string[] = [], consoleStdin = true): Promise<string> {
  const r = await post(url, command(shellId, cmd, args, {}, consoleStdin));
  assert.equal(r.status, 200, r.body);
  return commandIdOf(r.body);
}

async function receiveAll(url: string, shellId: string, commandId: string, maxEnv?: number) {
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  let receives = 0;
  let maxElements = 0;
  let maxBody = 0;
  for (;;) {
    const r = await post(url, receive(shellId, commandId, 'PT20S', maxEnv));
    assert.equal(r.status, 200, r.body);
    receives++;
    maxBody = Math.max(maxBody, Buffer.byteLength(r.body));
    const got = parseReceive(r.body);
    maxElements = Math.max(maxElements, got.streamElements);
    stdout.push(got.stdout);
    stderr.push(got.stderr);
    if (got.done) return { stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr), exitCode: got.exitCode, receives, maxElements, maxBody, last: r.body };
    assert.match(r.body, /CommandState\/Running/);
  }
}

describe('wsman server (raw HTTP)', () => {
  let host: FakeHost;
  let srv: WsmanServer;
  let url: string;

  before(async () => {
    host = fakeHost();
    srv = await startWsmanServer({ host, maxShellsPerUser: 5 });
    url = srv.url;
  });
  after(() => srv.close());

  test('url, Server header, content type and Windows envelope shape', async () => {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/wsman$/);
    const r = await post(url, createShell());
    assert.equal(r.status, 200);
    assert.equal(r.headers['server'], 'Microsoft-HTTPAPI/2.0');
    assert.equal(r.headers['content-type'], 'application/soap+xml;charset=UTF-8');
    assert.equal(Number(r.headers['content-length']), Buffer.byteLength(r.body));
    assert.match(r.body, /^<s:Envelope xml:lang="en-US" xmlns:s="http:\/\/www.w3.org\/2003\/05\/soap-envelope"/);
    assert.match(r.body, /<a:MessageID>uuid:[0-9A-F-]{36}<\/a:MessageID>/);
    assert.match(r.body, /<a:To>http:\/\/schemas.xmlsoap.org\/ws\/2004\/08\/addressing\/role\/anonymous<\/a:To>/);
    assert.match(r.body, /<a:Action>http:\/\/schemas.xmlsoap.org\/ws\/2004\/09\/transfer\/CreateResponse<\/a:Action>/);
    assert.match(r.body, /<x:ResourceCreated><a:Address>http:\/\/elsewhere:5985\/wsman<\/a:Address>/);
    const id = shellIdOf(r.body);
    assert.match(id, /^[0-9A-F-]{36}$/);
    assert.match(r.body, new RegExp(`<rsp:ShellId>${id}</rsp:ShellId>`));
    assert.match(r.body, /<rsp:Owner>SIMHOST\\Administrator<\/rsp:Owner>/);
    await post(url, del(id));
  });

  test('RelatesTo is the request MessageID verbatim, even a constant one', async () => {
    const mid = 'uuid:abdf4705-4e98-5cc0-a532-d595322e66dd';
    const c = await post(url, envelope({ action: actions.create, messageId: mid, body: '<rsp:Shell xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"/>' }));
    assert.equal(pick(c.body, /<a:RelatesTo>([^<]+)</), mid);
    const d = await post(url, envelope({ action: actions.delete, shellId: shellIdOf(c.body), messageId: mid }));
    assert.equal(d.status, 200);
    assert.equal(pick(d.body, /<a:RelatesTo>([^<]+)</), mid);
    assert.match(d.body, /<s:Body\/>/);
  });

  test('cmd built-ins, CommandId reuse, exit codes, CRLF', async () => {
    const sh = await open(url);
    let r = await receiveAll(url, sh, await run(url, sh, 'hostname'));
    assert.equal(r.stdout.toString(), 'SIMHOST\r\n');
    assert.equal(r.exitCode, 0);
    assert.match(r.last, /<rsp:Stream Name="stdout" CommandId="[^"]+" End="true"\/><rsp:Stream Name="stderr" CommandId="[^"]+" End="true"\/>/);
    r = await receiveAll(url, sh, await run(url, sh, 'echo', ['hello', 'world']));
    assert.equal(r.stdout.toString(), 'hello world\r\n');
    r = await receiveAll(url, sh, await run(url, sh, 'whoami'));
    assert.equal(r.stdout.toString(), 'simhost\\administrator\r\n');
    r = await receiveAll(url, sh, await run(url, sh, 'nosuchcmd', ['/x']));
    assert.equal(r.exitCode, 1);
    assert.equal(r.stderr.toString(), "'nosuchcmd' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n");
    const fixed = 'C0FFEE00-1111-2222-3333-444455556666';
    const c = await post(url, command(sh, 'cmd', ['/c', 'echo.'], { body: `<rsp:CommandLine CommandId="${fixed}"><rsp:Command>cmd /c echo.</rsp:Command></rsp:CommandLine>` }));
    assert.equal(commandIdOf(c.body), fixed);
    r = await receiveAll(url, sh, fixed);
    assert.equal(r.stdout.toString(), '\r\n');
    const s = await post(url, signal(sh, fixed, 'Terminate'));
    assert.equal(s.status, 200);
    assert.match(s.body, /<rsp:SignalResponse\/>/);
    await post(url, del(sh));
  });

  test('too long a command line through cmd.exe', async () => {
    const sh = await open(url);
    const r = await receiveAll(url, sh, await run(url, sh, 'echo', ['x'.repeat(8200)]));
    assert.equal(r.stderr.toString(), 'The command line is too long.\r\n');
    assert.equal(r.exitCode, 1);
    await post(url, del(sh));
  });

  test('big output arrives in several chunks over several Receives, under MaxEnvelopeSize', async () => {
    const sh = await open(url, '65001');
    const n = 150_000;
    const id = await run(url, sh, `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encodePs(`BIG:${n}`)}`);
    const r = await receiveAll(url, sh, id);
    assert.deepEqual(r.stdout, bigOutput(n));
    assert.ok(r.receives >= 3, `receives ${r.receives}`);
    assert.ok(r.maxElements > 1 && r.maxElements <= 4);
    assert.ok(r.maxBody < 153_600);
    // A small MaxEnvelopeSize shrinks the chunks instead of overflowing.
    const id2 = await run(url, sh, `powershell -enc ${encodePs('BIG:30000')}`);
    const small = await receiveAll(url, sh, id2, 8192);
    assert.deepEqual(small.stdout, bigOutput(30_000));
    assert.ok(small.maxBody <= 8192, `body ${small.maxBody}`);
    await post(url, del(sh));
  });

  test('code page 437 vs 65001 for non-ASCII output', async () => {
    for (const [cp, expected] of [['437', Buffer.from([0x68, 0x82, 0x6c, 0x6c, 0x6f, 0x20, 0x3f, 0x20, 0xab, 0x0d, 0x0a])], ['65001', Buffer.from('héllo ✓ ½\r\n')]] as const) {
      const sh = await open(url, cp);
      const r = await receiveAll(url, sh, await run(url, sh, `powershell -e ${encodePs('UNI')}`));
      assert.deepEqual(r.stdout, expected);
      await post(url, del(sh));
    }
  });

  test('stdin in console mode never reaches its end: the process never starts', async () => {
    const sh = await open(url);
    const id = await run(url, sh, `powershell -NoProfile -EncodedCommand ${encodePs('STDIN')}`, [], true);
    assert.equal((await post(url, send(sh, id, 'abc', true))).status, 200);
    const r = await post(url, receive(sh, id, 'PT0.2S'));
    assert.equal(faultCodeOf(r.body), '2150858793', 'still waiting for input after Send End="true"');
    assert.equal((await post(url, del(sh))).status, 200);
  });

  test('stdin-reading process starts at Send End="true" (pipe-mode stdin)', async () => {
    const sh = await open(url);
    const id = await run(url, sh, `powershell -NoProfile -EncodedCommand ${encodePs('STDIN')}`, [], false);
    // Nothing yet: the long-poll times out.
    let r = await post(url, receive(sh, id, 'PT0.2S'));
    assert.equal(r.status, 500);
    assert.equal(faultCodeOf(r.body), '2150858793');
    assert.equal((await post(url, send(sh, id, 'abc', false))).status, 200);
    const s = await post(url, send(sh, id, 'def', true));
    assert.match(s.body, /<rsp:SendResponse\/>/);
    const out = await receiveAll(url, sh, id);
    assert.equal(out.stdout.toString(), 'got:abcdef');
    r = await post(url, del(sh));
    assert.equal(r.status, 200);
  });

  test('Receive long-poll: TimedOut fault after OperationTimeout, then output as soon as it exists', async () => {
    const sh = await open(url);
    const id = await run(url, sh, `powershell -e ${encodePs('WAIT')}`);
    const t0 = Date.now();
    const r = await post(url, receive(sh, id, 'PT0.3S'));
    const elapsed = Date.now() - t0;
    assert.equal(r.status, 500);
    assert.ok(elapsed >= 280 && elapsed < 3000, `elapsed ${elapsed}`);
    assert.equal(faultCodeOf(r.body), '2150858793');
    assert.match(r.body, /<s:Value>s:Receiver<\/s:Value><s:Subcode><s:Value>w:TimedOut<\/s:Value>/);
    assert.match(r.body, /Machine="SIMHOST"/);
    assert.match(r.body, /<a:Action>http:\/\/schemas.dmtf.org\/wbem\/wsman\/1\/wsman\/fault<\/a:Action>/);
    const pending = post(url, receive(sh, id, 'PT20S'));
    await waitFor(() => host.scripts.length > 0 && srv.stats.requests > 0);
    setImmediate(() => host.release('late\r\n'));
    const out = parseReceive((await pending).body);
    assert.equal(out.stdout.toString(), 'late\r\n');
    assert.equal(out.done, true);
    await post(url, del(sh));
  });

  test('Delete: pending Receive gets 995, later operations InvalidSelectors 2150858843', async () => {
    const sh = await open(url);
    const id = await run(url, sh, `powershell -e ${encodePs('WAIT')}`);
    const requestsBefore = srv.stats.requests;
    const pending = post(url, receive(sh, id, 'PT20S'), { agent: new http.Agent() });
    await waitFor(() => srv.stats.requests > requestsBefore);
    const d = await post(url, del(sh));
    assert.equal(d.status, 200);
    const p = await pending;
    assert.equal(p.status, 500);
    assert.equal(faultCodeOf(p.body), '995');
    for (const body of [receive(sh, id), del(sh), command(sh, 'hostname')]) {
      const r = await post(url, body);
      assert.equal(r.status, 500);
      assert.equal(faultCodeOf(r.body), '2150858843');
      assert.match(r.body, /<s:Value>s:Sender<\/s:Value><s:Subcode><s:Value>w:InvalidSelectors<\/s:Value>/);
      assert.match(r.body, /<w:FaultDetail>http:\/\/schemas.dmtf.org\/wbem\/wsman\/1\/wsman\/faultDetail\/UnexpectedSelectors<\/w:FaultDetail>/);
      assert.ok(r.body.includes(`The request for the Windows Remote Shell with ShellId ${sh} failed because the shell was not found on the server.`));
    }
  });

  test('Signal kills a running command: its pending Receive gets 995', async () => {
    const sh = await open(url);
    const id = await run(url, sh, `powershell -e ${encodePs('WAIT')}`);
    const before = srv.stats.requests;
    const pending = post(url, receive(sh, id, 'PT20S'), { agent: new http.Agent() });
    await waitFor(() => srv.stats.requests > before);
    assert.equal((await post(url, signal(sh, id, 'ctrl_c'))).status, 200);
    assert.equal(faultCodeOf((await pending).body), '995');
    await post(url, del(sh));
  });

  test('shell quota per user', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await open(url));
    const r = await post(url, createShell());
    assert.equal(r.status, 500);
    assert.equal(faultCodeOf(r.body), '2150859173');
    assert.match(r.body, /w:QuotaLimit/);
    for (const id of ids) await post(url, del(id));
    assert.equal((await post(url, createShell())).status, 200);
  });

  test('unknown action, garbage XML, wrong root: faults, server alive', async () => {
    let r = await post(url, envelope({ action: 'http://example.com/Frobnicate' }));
    assert.equal(r.status, 500);
    assert.match(r.body, /<s:Value>s:Sender<\/s:Value><s:Subcode><s:Value>w:ActionNotSupported</);
    for (const junk of ['<<<not xml', '<a><b></a>', '<root/>', '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>', '\u0000\u0001']) {
      r = await post(url, junk);
      assert.equal(r.status, 500, junk);
      assert.equal(faultCodeOf(r.body), '2150858817');
      assert.match(r.body, /w:SchemaValidationError/);
    }
    assert.equal((await post(url, createShell())).status, 200);
  });

  test('401: empty body, exact headers, connection kept alive; wrong password too', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    for (const auth of [{}, { Authorization: basic('Administrator', 'wrong') }, { Authorization: basic('nobody', 'x') }] as Record<string, string>[]) {
      const headers: Record<string, string> = { ...auth };
      const r = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/soap+xml;charset=UTF-8', ...headers } }, resolve);
        req.on('error', reject);
        req.end(createShell());
      });
      const chunks: Buffer[] = [];
      for await (const c of r) chunks.push(c as Buffer);
      assert.equal(r.statusCode, 401);
      assert.equal(Buffer.concat(chunks).length, 0);
      assert.equal(r.headers['content-length'], '0');
      assert.equal(r.headers['server'], 'Microsoft-HTTPAPI/2.0');
      const www = r.rawHeaders.filter((_, i) => i % 2 === 0 && r.rawHeaders[i]?.toLowerCase() === 'www-authenticate').length;
      assert.equal(www, 2);
      const values: string[] = [];
      for (let i = 0; i < r.rawHeaders.length; i += 2) if (r.rawHeaders[i]?.toLowerCase() === 'www-authenticate') values.push(r.rawHeaders[i + 1] ?? '');
      assert.deepEqual(values, ['Negotiate', 'Basic realm="WSMAN"']);
      assert.notEqual(r.headers['connection'], 'close');
    }
    agent.destroy();
  });

  test('keep-alive: one socket serves many requests; 404 and 405', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const before = srv.stats.connections;
    const sh = shellIdOf((await post(url, createShell(), { agent })).body);
    const id = commandIdOf((await post(url, command(sh, 'hostname'), { agent })).body);
    await post(url, receive(sh, id), { agent });
    await post(url, del(sh), { agent });
    assert.equal(srv.stats.connections - before, 1);
    assert.equal((await post(url.replace('/wsman', '/other'), '', { agent })).status, 404);
    const g = await new Promise<http.IncomingMessage>((resolve) => http.get(url, { agent }, resolve));
    g.resume();
    assert.equal(g.statusCode, 405);
    agent.destroy();
  });

  test('authenticated empty POST gets 200 with an empty body', async () => {
    const r = await post(url, '');
    assert.equal(r.status, 200);
    assert.equal(r.body, '');
  });

  test('chunked request body is refused with an InternalError fault', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'Content-Type': 'application/soap+xml;charset=UTF-8', Authorization: basic(), 'Transfer-Encoding': 'chunked' } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString() }));
      });
      req.on('error', reject);
      req.write(createShell().slice(0, 100));
      req.end(createShell().slice(100));
    });
    assert.equal(r.status, 500);
    assert.match(r.body, /w:InternalError/);
  });
});

describe('wsman server fault injection', () => {
  let host: FakeHost;
  let srv: WsmanServer;
  before(async () => {
    host = fakeHost();
    srv = await startWsmanServer({ host });
  });
  after(() => srv.close());

  test('latency before every response, 401 included', async () => {
    host.faults.latencyMs = 150;
    host.faults.jitterMs = 50;
    try {
      for (const headers of [{}, { Authorization: 'Basic eDp5' }] as Record<string, string>[]) {
        const t0 = Date.now();
        const r = await post(srv.url, createShell(), { headers });
        const dt = Date.now() - t0;
        assert.ok(dt >= 145 && dt < 2000, `took ${dt}`);
        if (Object.keys(headers).length > 0) assert.equal(r.status, 401);
        else await post(srv.url, del(shellIdOf(r.body)));
      }
    } finally {
      host.faults.latencyMs = 0;
      host.faults.jitterMs = 0;
    }
  });

  test('http500: InternalError fault with Machine', async () => {
    host.faults.http500 = true;
    try {
      const r = await post(srv.url, createShell());
      assert.equal(r.status, 500);
      assert.match(r.body, /w:InternalError/);
      assert.match(r.body, /Machine="SIMHOST"/);
      assert.ok(faultCodeOf(r.body));
    } finally {
      host.faults.http500 = false;
    }
  });

  test('reset: the client sees ECONNRESET', async () => {
    host.faults.reset = true;
    try {
      await assert.rejects(post(srv.url, createShell(), { agent: new http.Agent() }), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET');
    } finally {
      host.faults.reset = false;
    }
    assert.equal((await post(srv.url, '')).status, 200);
  });

  test('hang: never answered, and close() still returns and frees everything', async () => {
    const h2 = fakeHost();
    const s2 = await startWsmanServer({ host: h2 });
    h2.faults.hang = true;
    let settled = false;
    const hung = post(s2.url, createShell(), { agent: new http.Agent() }).then(
      () => { settled = true; },
      () => { settled = true; },
    );
    await waitFor(() => s2.stats.requests > 0);
    // A long-poll pending at close time as well.
    h2.faults.hang = false;
    const sh = shellIdOf((await post(s2.url, createShell())).body);
    const id = commandIdOf((await post(s2.url, command(sh, `powershell -e ${encodePs('WAIT')}`))).body);
    const poll = post(s2.url, receive(sh, id), { agent: new http.Agent() }).catch(() => 'closed');
    await waitFor(() => s2.stats.requests >= 4);
    assert.equal(settled, false);
    await s2.close();
    await hung;
    await poll;
    assert.equal(settled, true);
  });
});

describe('wsman server with allowUnencrypted=false over http', () => {
  test('plaintext SOAP is refused with 401', async () => {
    const srv = await startWsmanServer({ host: fakeHost(), allowUnencrypted: false });
    try {
      const r = await post(srv.url, createShell());
      assert.equal(r.status, 401);
      assert.equal(r.body, '');
    } finally {
      await srv.close();
    }
  });
});

/** Polls a condition on the event loop (setImmediate turns), without sleeping. */
async function waitFor(cond: () => boolean, limit = 100_000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (cond()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('condition not reached');
}

