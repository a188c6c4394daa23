// NTLM against an http.sys-like fake (per-connection auth) built on the project's NtlmServerContext.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WinrmAuthError, createWinrmClient } from '../../src/winrm/index.ts';
import type { WinrmClientOptions } from '../../src/winrm/index.ts';
import { WsmanReplayServer } from '../fakes/wsman-replay.ts';
import { ntlmFront } from '../fakes/wsman-ntlm.ts';
import { reply, warmCommand } from '../fakes/wsman-responses.ts';
import { PASSWORD, assertNoSecrets } from './helpers.ts';
import { Flags } from '../../src/ntlm/tokens.ts';

const conversation = () => [reply.create('SH-N'), ...warmCommand('one'), reply.signal(), ...warmCommand('twö'), reply.signal(), reply.delete()];

async function session(front: ReturnType<typeof ntlmFront>, options: Partial<WinrmClientOptions>) {
  const server = await WsmanReplayServer.start(front.script);
  const client = createWinrmClient({ url: server.url, auth: 'ntlm', username: 'SIM\\operator', password: PASSWORD, ...options });
  return { server, client };
}

test('NTLM with message encryption (auto over http): one handshake, every envelope sealed, one connection', async () => {
  const front = ntlmFront(conversation(), { users: { operator: PASSWORD }, requireEncryption: true });
  const { server, client } = await session(front, {});
  try {
    assert.equal((await client.run('a')).stdout, 'one');
    assert.equal((await client.run('b')).stdout, 'twö');
    await client.close();
    assert.deepEqual(front.steps, ['create', 'command', 'send', 'receive', 'signal', 'command', 'send', 'receive', 'signal', 'delete']);
    assert.deepEqual(front.events.slice(0, 4), ['type1@1', 'type3@1', 'setup@1', 'create:encrypted@1']);
    assert.ok(front.events.slice(3).every((e) => /:encrypted@1$/.test(e)), front.events.join(' '));
    assert.equal(server.connections, 1);
    assert.equal(client.stats.handshakes, 1);
    // sealed bodies: the command line never crosses the wire in clear
    assert.ok(server.requests.every((r) => !r.text.includes('<rsp:Command>')));
    // no Authorization header after the handshake on the same connection
    assert.deepEqual(server.requests.slice(3).map((r) => r.headers.authorization), Array(server.requests.length - 3).fill(undefined));
  } finally {
    await client.close();
    await server.close();
  }
});

test('NTLM without encryption (allowUnencrypted endpoint): body on every leg, later requests without Authorization', async () => {
  const front = ntlmFront(conversation(), { users: { operator: PASSWORD }, requireEncryption: false });
  const { server, client } = await session(front, { encryption: 'never', allowUnencrypted: true });
  try {
    await client.run('a');
    await client.run('b');
    await client.close();
    assert.deepEqual(front.events.slice(0, 3), ['type1@1', 'type3@1', 'create:plain@1']);
    assert.match(server.requests[0]!.headers.authorization ?? '', /^Negotiate /);
    assert.equal(server.requests[0]!.step, 'create', 'the Type1 leg carries the SOAP body');
    assert.equal(server.requests[1]!.step, 'create', 'the Type3 leg carries the SOAP body');
    assert.ok(server.requests.slice(2).every((r) => r.headers.authorization === undefined));
    assert.equal(server.connections, 1);
    assert.equal(client.stats.handshakes, 1);
    assert.equal(front.steps.length, 10);
  } finally {
    await client.close();
    await server.close();
  }
});

test('a new TCP connection gets a new handshake', async () => {
  // the server closes the connection after the first Signal (as after an http.sys idle timeout)
  const front = ntlmFront([reply.create('SH-N'), ...warmCommand('one'), { ...reply.signal(), closeConnection: true }, ...warmCommand('two'), reply.signal(), reply.delete()],
    { users: { operator: PASSWORD }, requireEncryption: true });
  const { server, client } = await session(front, {});
  try {
    assert.equal((await client.run('a')).stdout, 'one');
    assert.equal((await client.run('b')).stdout, 'two');
    await client.close();
    assert.equal(server.connections, 2);
    assert.equal(client.stats.handshakes, 2);
    assert.ok(front.events.includes('type1@2') && front.events.includes('setup@2'), front.events.join(' '));
    assert.deepEqual(front.steps, ['create', 'command', 'send', 'receive', 'signal', 'command', 'send', 'receive', 'signal', 'delete']);
  } finally {
    await client.close();
    await server.close();
  }
});

test('NTLM with a wrong password -> WinrmAuthError naming NTLM', async () => {
  const front = ntlmFront([], { users: { operator: 'another password' }, requireEncryption: true });
  const { server, client } = await session(front, {});
  try {
    await assert.rejects(client.run('x'), (e: unknown) => {
      assert.ok(e instanceof WinrmAuthError);
      assert.equal(e.method, 'NTLM');
      assert.equal(e.step, 'create');
      assert.match(e.message, /using NTLM: the user name, password or domain was rejected/);
      assert.ok(e.message.includes(new URL(server.url).host));
      assertNoSecrets(e.message);
      return true;
    });
  } finally {
    await client.close();
    await server.close();
  }
});

test('a hostile server that strips 128-bit, SIGN and SEAL from its challenge is refused: no Type3 is sent', async () => {
  const stripped = Flags.NEGOTIATE_128 | Flags.SIGN | Flags.SEAL;
  const front = ntlmFront([], {
    users: { operator: PASSWORD },
    requireEncryption: true,
    tamperChallenge: (type2) => {
      const out = Buffer.from(type2);
      out.writeUInt32LE((out.readUInt32LE(20) & ~stripped) >>> 0, 20);
      return out;
    },
  });
  const { server, client } = await session(front, {});
  try {
    await assert.rejects(client.run('x'), (e: unknown) => {
      assert.ok(e instanceof WinrmAuthError);
      assert.equal(e.step, 'create');
      assert.ok(e.message.includes(new URL(server.url).host), e.message);
      assert.match(e.message, /using NTLM: the server asked for weaker security than Windows' default minimum \(missing: 128-bit session keys, message signing, message sealing\)/);
      assertNoSecrets(e.message);
      return true;
    });
    assert.deepEqual(front.events, ['type1@1'], 'the challenge was never answered');
    assert.equal(client.stats.handshakes, 0);
  } finally {
    await client.close();
    await server.close();
  }
});

test('a challenge without MsvAvTimestamp (so no MIC would protect it) is refused', async () => {
  const front = ntlmFront([], {
    users: { operator: PASSWORD },
    requireEncryption: true,
    tamperChallenge: (type2) => withoutTimestamp(type2),
  });
  const { server, client } = await session(front, {});
  try {
    await assert.rejects(client.run('x'), (e: unknown) => e instanceof WinrmAuthError && /weaker security.*MsvAvTimestamp/.test(e.message));
    assert.deepEqual(front.events, ['type1@1']);
  } finally {
    await client.close();
    await server.close();
  }
});

/** Rebuilds a CHALLENGE_MESSAGE with MsvAvTimestamp removed from its TargetInfo (TargetInfo is the last payload). */
function withoutTimestamp(type2: Buffer): Buffer {
  const len = type2.readUInt16LE(40);
  const off = type2.readUInt32LE(44);
  const pairs: Buffer[] = [];
  for (let pos = off; pos < off + len; ) {
    const id = type2.readUInt16LE(pos);
    const size = type2.readUInt16LE(pos + 2);
    if (id !== 7) pairs.push(type2.subarray(pos, pos + 4 + size));
    pos += 4 + size;
  }
  const info = Buffer.concat(pairs);
  assert.equal(off + len, type2.length);
  const out = Buffer.concat([type2.subarray(0, off), info]);
  out.writeUInt16LE(info.length, 40);
  out.writeUInt16LE(info.length, 42);
  return out;
}
