// MS-NLMP 4.2.4 (NTLMv2) worked example: User "User", Domain "Domain", Password "Password", server challenge
// 0123456789abcdef, client challenge aa*8, random session key 55*16, time 0, TargetInfo Domain/Server.
// Expected bytes are the ones Microsoft printed (cross-checked against pyspnego/ntlm-auth/go-ntlmssp tests).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { md4, ntowfv2, rc4k, hmacMd5 } from '../../src/ntlm/crypto.ts';
import { NtlmClient } from '../../src/ntlm/client.ts';
import { NtlmServerContext } from '../../src/ntlm/server.ts';
import { NtlmSessionImpl, sealKey, signKey } from '../../src/ntlm/session.ts';
import { Flags } from '../../src/ntlm/tokens.ts';
import { specChallenge, SPEC_FLAGS, SPEC_SERVER_CHALLENGE, readField } from './helpers.ts';

const hex = (b: Buffer): string => b.toString('hex');
const PLAINTEXT = Buffer.from('Plaintext', 'utf16le');
const SESSION_KEY = Buffer.alloc(16, 0x55);

/** 4.2.4.2.2: NTProofStr followed by the temp blob of 4.2.4.1.3. */
const NT_RESPONSE =
  '68cd0ab851e51c96aabc927bebef6a1c' +
  '0101000000000000' + '0000000000000000' + 'aaaaaaaaaaaaaaaa' + '00000000' +
  '02000c0044006f006d00610069006e00' + '01000c00530065007200760065007200' + '00000000' + '00000000';

function specClient(): NtlmClient {
  const random = (n: number): Buffer => (n === 8 ? Buffer.alloc(8, 0xaa) : Buffer.alloc(n, 0x55));
  return new NtlmClient({ username: 'User', password: 'Password', domain: 'Domain', workstation: 'COMPUTER' }, {
    randomBytes: random,
    now: () => Buffer.alloc(8),
    allowMissingTimestamp: true, // the 4.2.4 example predates MsvAvTimestamp
  });
}

test('primitives: MD4, RC4 and NTOWFv2 (4.2.4.1.1)', () => {
  assert.equal(hex(md4(Buffer.alloc(0))), '31d6cfe0d16ae931b73c59d7e0c089c0'); // RFC 1320 / NT hash of ""
  assert.equal(hex(rc4k(Buffer.from('Key'), Buffer.from('Plaintext'))), 'bbf316e8d940af0ad3'); // classic RC4 vector
  assert.equal(hex(ntowfv2('Password', 'User', 'Domain')), '0c868a403bfd7a93a3001ef22ef02e3f');
});

test('client Type3 carries the 4.2.4.2 LMv2/NTLMv2 responses and the 4.2.4.2.3 encrypted session key', () => {
  const client = specClient();
  client.negotiate();
  const type3 = client.authenticate(specChallenge());
  assert.equal(hex(readField(type3, 12)), '86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa');
  assert.equal(hex(readField(type3, 20)), NT_RESPONSE);
  assert.equal(hex(readField(type3, 52)), 'c5dad2544fc9799094ce1ce90bc9d03e');
  assert.equal(readField(type3, 36).toString('utf16le'), 'User');
  assert.equal(readField(type3, 28).toString('utf16le'), 'Domain');
  assert.equal(type3.length >= 72, true);
});

test('session base key (4.2.4.1.2) and the derived keys (4.2.4.1.3-4)', () => {
  const responseKey = ntowfv2('Password', 'User', 'Domain');
  const sessionBaseKey = hmacMd5(responseKey, Buffer.from('68cd0ab851e51c96aabc927bebef6a1c', 'hex'));
  assert.equal(hex(sessionBaseKey), '8de40ccadbc14a82f15cb0ad0de95ca3');
  assert.equal(hex(rc4k(sessionBaseKey, SESSION_KEY)), 'c5dad2544fc9799094ce1ce90bc9d03e');
  assert.equal(hex(signKey(SESSION_KEY, 'client')), '4788dc861b4782f35d43fd98fe1a2d39');
  assert.equal(hex(sealKey(SESSION_KEY, SPEC_FLAGS, 'client')), '59f600973cc4960a25480a7c196e4c58');
});

test('GSS_WrapEx of "Plaintext" (4.2.4.4): sealed bytes and signature', () => {
  const client = specClient();
  client.negotiate();
  client.authenticate(specChallenge());
  const { sealed, signature } = client.session!.seal(PLAINTEXT);
  assert.equal(hex(sealed), '54e50165bf1936dc996020c1811b0f06fb5f');
  assert.equal(hex(signature), '010000007fb38ec5c55d497600000000');
});

test('server direction of the same example (not printed in MS-NLMP; matches ntlm_auth 1.4.0 and python-ntlm)', () => {
  const server = new NtlmSessionImpl(SESSION_KEY, SPEC_FLAGS, 'server');
  const { sealed, signature } = server.seal(PLAINTEXT);
  assert.equal(hex(sealed), '160871b730ba74e946c453d7465b54278dd0');
  assert.equal(hex(signature), '01000000b298b847ce7c580700000000');
});

test('our server accepts the spec Type3 and unseals the spec message', () => {
  const server = new NtlmServerContext({ netbiosName: 'SERVER', dnsName: 'server', randomBytes: () => Buffer.from(SPEC_SERVER_CHALLENGE) });
  const client = specClient();
  server.challenge(client.negotiate());
  const type3 = client.authenticate(specChallenge());
  const user = server.authenticate(type3, (u) => (u === 'User' ? 'Password' : undefined));
  assert.ok(user);
  assert.equal(user.username, 'User');
  assert.equal(user.domain, 'Domain');
  const plain = user.session.unseal(
    Buffer.from('54e50165bf1936dc996020c1811b0f06fb5f', 'hex'),
    Buffer.from('010000007fb38ec5c55d497600000000', 'hex'),
  );
  assert.deepEqual(plain, PLAINTEXT);
});

test('seal key is cut to 56 or 40 bits when 128-bit was not negotiated', () => {
  const k56 = sealKey(SESSION_KEY, Flags.NEGOTIATE_56, 'client');
  const k40 = sealKey(SESSION_KEY, 0, 'client');
  assert.notEqual(hex(k56), hex(k40));
  assert.notEqual(hex(k56), '59f600973cc4960a25480a7c196e4c58');
});
