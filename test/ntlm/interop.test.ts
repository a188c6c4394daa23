// Interop with an independent implementation: Debian's ntlm_auth 1.4.0 (what pywinrm/requests_ntlm use)
// authenticates against our NtlmServerContext, both ends seal/unseal each other's messages, and pywinrm's
// own winrm.encryption framing round-trips with wrapEncrypted/unwrapEncrypted.
// Needs /usr/bin/python3 with python3-ntlm-auth and python3-winrm; fails (never skips) if they are missing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { NtlmServerContext, unwrapEncrypted, wrapEncrypted } from '../../src/ntlm/index.ts';
import type { NtlmSession } from '../../src/ntlm/index.ts';

const PYTHON = '/usr/bin/python3';
const LEGACY_CNF = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`;

// Line-oriented JSON peer: one request line in, one answer line out per step.
const PEER = String.raw`
import sys, json, base64, traceback
def send(o):
    sys.stdout.write(json.dumps(o) + "\n"); sys.stdout.flush()
def recv():
    return json.loads(sys.stdin.readline())
b64e = lambda b: base64.b64encode(b).decode()
b64d = base64.b64decode
try:
    from ntlm_auth.ntlm import NtlmContext
    from winrm.encryption import Encryption
    a = recv()
    ctx = NtlmContext(a["user"], a["password"], domain=a["domain"], workstation="PYCLIENT", ntlm_compatibility=3)
    send({"type1": b64e(ctx.step())})
    send({"type3": b64e(ctx.step(b64d(recv()["type2"])))})
    sec = ctx._session_security
    m = recv()
    plain = [b64e(sec.unwrap(b64d(x["sealed"]), b64d(x["signature"]))) for x in m["from_server"]]
    wrapped = []
    for p in m["to_server"]:
        sealed, sig = sec.wrap(b64d(p))
        wrapped.append({"sealed": b64e(sealed), "signature": b64e(sig)})
    send({"plain": plain, "wrapped": wrapped})
    class Auth: session_security = sec
    class Session: auth = Auth()
    class Response: pass
    enc = Encryption(Session(), "ntlm")
    m = recv()
    request = enc._encrypt_message(b64d(m["soap"]), "lab") + enc.MIME_BOUNDARY + b"--\r\n"
    resp = Response(); resp.content = b64d(m["response"])
    send({"request": b64e(request), "response_plain": b64e(enc._decrypt_response(resp, "lab"))})
except Exception:
    send({"error": traceback.format_exc()})
`;

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ntlm-interop-'));
  writeFileSync(join(dir, 'legacy.cnf'), LEGACY_CNF);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function pythonEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OPENSSL_CONF: join(dir, 'legacy.cnf'), NO_PROXY: '127.0.0.1,localhost', PYTHONDONTWRITEBYTECODE: '1' };
}

function requirePython(): void {
  const probe = (mod: string, pkg: string): void => {
    const r = spawnSync(PYTHON, ['-c', `import ${mod}`], { env: pythonEnv(), encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      assert.fail(`${PYTHON} cannot import ${mod} (${r.error?.message ?? r.stderr.trim()}): apt-get install ${pkg}`);
    }
  };
  probe('ntlm_auth.ntlm', 'python3-ntlm-auth');
  probe('winrm.encryption', 'python3-winrm');
}

type Json = Record<string, unknown>;

/** Starts the peer; `ask` sends one JSON line and resolves with the next answer line. */
function startPeer(): { ask: (o: Json) => Promise<Json>; close: () => void } {
  const child = spawn(PYTHON, ['-c', PEER], { env: pythonEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const read = async (): Promise<Json> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`python peer exited early: ${stderr}`);
    const answer = JSON.parse(value as string) as Json;
    if (typeof answer.error === 'string') throw new Error(`python peer failed:\n${answer.error}`);
    return answer;
  };
  return {
    ask: (o) => {
      child.stdin.write(`${JSON.stringify(o)}\n`);
      return read();
    },
    close: () => {
      child.stdin.end();
      child.kill();
    },
  };
}

const b64 = (b: Buffer): string => b.toString('base64');
const unb64 = (s: unknown): Buffer => Buffer.from(String(s), 'base64');

async function interop(domain: string, timestamp: boolean, password = 'Passw0rd!'): Promise<void> {
  requirePython();
  const peer = startPeer();
  try {
    const server = new NtlmServerContext({ netbiosName: 'WIN-LAB01', dnsName: 'win-lab01.sim.test', netbiosDomain: 'SIM', dnsDomain: 'sim.test', timestamp });
    const { type1 } = await peer.ask({ user: 'operator', password, domain });
    const type2 = server.challenge(unb64(type1));
    const { type3 } = await peer.ask({ type2: b64(type2) });
    const t3 = unb64(type3);
    if (timestamp) assert.notDeepEqual(t3.subarray(72, 88), Buffer.alloc(16), 'ntlm_auth sent a MIC');
    const seen: string[] = [];
    const user = server.authenticate(t3, (u, d) => {
      seen.push(`${d}\\${u}`);
      return u === 'operator' ? 'Passw0rd!' : undefined;
    });
    if (password !== 'Passw0rd!') {
      assert.equal(user, null, 'a wrong password must not authenticate');
      return;
    }
    assert.ok(user, `our server rejected ntlm_auth's Type3 (lookup saw ${seen.join(', ')})`);
    assert.equal(user.username, 'operator');
    assert.equal(user.domain, domain);
    const session: NtlmSession = user.session;

    // Session security both ways, several messages so sequence numbers and RC4 state advance.
    const down = [...Array(5).keys()].map((i) => Buffer.from(`server says ${i} ${'é'.repeat(i)}`));
    const up = [...Array(5).keys()].map((i) => Buffer.from(`client says ${i}`.repeat(i + 1)));
    const sealed = down.map((m) => session.seal(m));
    const r = await peer.ask({
      from_server: sealed.map((s) => ({ sealed: b64(s.sealed), signature: b64(s.signature) })),
      to_server: up.map(b64),
    });
    assert.deepEqual((r.plain as string[]).map(unb64), down);
    const wrapped = r.wrapped as { sealed: string; signature: string }[];
    assert.deepEqual(wrapped.map((w) => session.unseal(unb64(w.sealed), unb64(w.signature))), up);

    // pywinrm's own multipart/encrypted framing, both directions.
    const soap = Buffer.from('<?xml version="1.0" encoding="utf-8"?><env:Envelope>request</env:Envelope>');
    const response = Buffer.from('<s:Envelope>response é</s:Envelope>');
    const f = await peer.ask({ soap: b64(soap), response: b64(wrapEncrypted(session, response)) });
    assert.deepEqual(unwrapEncrypted(session, unb64(f.request)), soap);
    assert.deepEqual(unb64(f.response_plain), response);
  } finally {
    peer.close();
  }
}

test('ntlm_auth authenticates against our server (domain as pywinrm sends it, upper-case) and seals both ways', { timeout: 30_000 }, () =>
  interop('SIM', false));

test('ntlm_auth with a lower-case domain', { timeout: 30_000 }, () => interop('sim', false));

test('ntlm_auth with MsvAvTimestamp: its MIC verifies on our server', { timeout: 30_000 }, () => interop('SIM', true));

test('ntlm_auth with a wrong password is rejected', { timeout: 30_000 }, () => interop('SIM', true, 'wrong'));
