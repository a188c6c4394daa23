// Bounded input from hosts, end to end: a host's caps come from its configuration, a flood stops at
// the cap with an error that names the host and the cap, and the diagnosis shows it as a host access
// failure in those words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HostConfig } from '../../src/config/schema.ts';
import type { HostId } from '../../src/config/schema.ts';
import type { ResolvedHost } from '../../src/config/load.ts';
import { connectHost } from '../../src/host/connect.ts';
import { ResultLimitError, decodeFrames, parsePlanResult } from '../../src/host/result.ts';
import { frame } from '../../src/host/bootstrap.ts';
import { Plan, PLAN_VERSION } from '../../src/host/operations.ts';
import { classifyHostError, diagnose } from '../../src/rdp/diagnose.ts';
import { buildReadPlan } from '../../src/rdp/read-plan.ts';
import type { CheckTarget } from '../../src/rdp/types.ts';
import { WinrmOutputLimitError } from '../../src/winrm/index.ts';
import { HostileWsman } from '../fakes/hostile-wsman.ts';
import type { HostileMode } from '../fakes/hostile-wsman.ts';
import { freePort } from '../support/free-port.ts';

const KIB = 1024;
const MIB = 1024 * KIB;
const SECRET = 'Hostile-Pa55word!';

function workPc(url: string, winrm: Record<string, unknown>): ResolvedHost {
  return {
    id: 'work-pc' as HostId,
    config: HostConfig.parse({ winrm: { url, auth: 'basic', credential: 'admin', allowBasicOverHttp: true, ...winrm } }),
    credential: { username: 'Administrator', password: { value: SECRET } },
  };
}

async function withHostile(mode: HostileMode, body: (server: HostileWsman) => Promise<void>): Promise<void> {
  const server = await HostileWsman.start(mode);
  try {
    await body(server);
  } finally {
    await server.close();
  }
}

test('a runtime frame that never closes stops at the configured maxOutputBytes; the diagnosis names work-pc and the cap', async () => {
  await withHostile({ kind: 'base64-stream', chunkBytes: 96 * KIB }, async (server) => {
    const conn = await connectHost(workPc(server.url, { maxOutputBytes: MIB }));
    const rdpPort = await freePort(); // nothing listens: the RDP probes see a closed port
    const target: CheckTarget = { id: 'work-pc', address: '127.0.0.1', rdpHost: '127.0.0.1', rdpPort, winrmUrl: server.url, rdpUsers: [] };
    try {
      let thrown: unknown;
      const d = await diagnose(target, {
        runPlan: (plan) => conn.runPlan(plan).catch((e: unknown) => Promise.reject((thrown = e))),
        timeoutMs: 2000,
      });
      assert.ok(thrown instanceof WinrmOutputLimitError, String(thrown));
      assert.equal(thrown.limitBytes, MIB, 'the cap comes from the host configuration');
      assert.equal(server.receives, Math.floor(MIB / (96 * KIB)) + 1, 'no Receive after the one that passed the cap');
      assert.match(d.headline, /^WinRM on work-pc answered with an error/);
      const access = d.findings.find((f) => f.check === 'net-winrm-identity');
      assert.match(access?.summary ?? '', /work-pc sent more than 1 MiB of output for one command; stopped reading \(cap winrm\.maxOutputBytes\)/);
      assert.match(access?.summary ?? '', /raise hosts\.work-pc\.winrm\.maxOutputBytes only if/);
      assert.doesNotMatch(JSON.stringify(d), new RegExp(SECRET));
    } finally {
      await conn.close();
    }
  });
});

test('a closed frame within the output cap but over maxResultBytes is refused before it is decoded', async () => {
  // 1.5 MiB of base64 (1.1 MiB decoded) in one OP frame: under the 8 MiB output default, over a 1 MiB result cap.
  await withHostile({ kind: 'huge-frame', base64Chars: 1.5 * MIB, chunkBytes: 96 * KIB }, async (server) => {
    const conn = await connectHost(workPc(server.url, { maxResultBytes: MIB }));
    try {
      await assert.rejects(conn.runPlan(buildReadPlan()), (e: unknown) => {
        assert.ok(e instanceof ResultLimitError, String(e));
        assert.equal(e.message, 'work-pc sent more than 1 MiB of results for one plan; stopped reading (cap winrm.maxResultBytes).');
        const failure = classifyHostError(e, { id: 'work-pc', address: 'work-pc', rdpHost: '127.0.0.1', rdpPort: 3389, winrmUrl: server.url, rdpUsers: [] });
        assert.equal(failure.kind, 'protocol');
        assert.ok(failure.message.startsWith(`${e.message} rdp-medic's plans return tens of KB`), failure.message);
        return true;
      });
    } finally {
      await conn.close();
    }
  });
});

test('the caps in the configuration: optional, and too small a cap is refused with its path', () => {
  const url = 'http://127.0.0.1:5985/wsman';
  assert.equal(workPc(url, {}).config.winrm.maxOutputBytes, undefined, "unset: the client's defaults apply");
  const bad = HostConfig.safeParse({ winrm: { url, auth: 'basic', credential: 'admin', maxResponseBytes: 1000 } });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error?.issues.map((i) => i.path.join('.')), ['winrm.maxResponseBytes']);
});

test('decoded frames are counted from their base64 length: a flood is refused, not parsed', () => {
  const plan = Plan.parse({ version: PLAN_VERSION, mode: 'read', ops: [{ id: 'a', op: 'os.info' }] });
  // Not valid JSON either: decoding it would fail differently, so the cap must come first.
  const flood = `<<<RDPMEDIC OP ${'A'.repeat(200 * KIB)} >>>\n`;
  assert.throws(() => decodeFrames(flood, { host: 'work-pc', maxResultBytes: 128 * KIB }), (e: unknown) => {
    assert.ok(e instanceof ResultLimitError, String(e));
    assert.equal(e.message, 'work-pc sent more than 128 KiB of results for one plan; stopped reading (cap winrm.maxResultBytes).');
    return true;
  });
  // Frames add up: two of 70 KiB pass a 128 KiB cap together; one alone is read as before.
  const begin = frame('BEGIN', { runtime: '2.0.0', host: 'VM1', startedAt: '2025-01-02T00:00:00Z', check: false, count: 1 });
  const op = frame('OP', { id: 'a', ok: false, error: { code: 'Failed', message: 'x'.repeat(70 * KIB) } });
  assert.equal(decodeFrames(begin + op, { maxResultBytes: 128 * KIB }).ops.length, 1);
  assert.throws(() => parsePlanResult(begin + op + op, plan, { maxResultBytes: 128 * KIB }), /: the host sent more than 128 KiB of results for one plan/);
});
