// In-process client <-> server: authentication outcomes, MIC, charset, and session security both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { NtlmClient, NtlmServerContext, NtlmError, NtlmIntegrityError, NtlmDowngradeError, channelBindingsHash } from '../../src/ntlm/index.ts';
import type { AuthenticatedUser, NtlmCredentials, NtlmSession, PasswordLookup } from '../../src/ntlm/index.ts';
import { Flags } from '../../src/ntlm/tokens.ts';
import { challengeMessage, readField, SPEC_FLAGS, SPEC_SERVER_CHALLENGE, SPEC_TARGET_INFO, TIMESTAMPED_TARGET_INFO } from './helpers.ts';

const SERVER = { netbiosName: 'WIN-LAB01', dnsName: 'win-lab01.sim.test', netbiosDomain: 'SIM', dnsDomain: 'sim.test' };
const lookup: PasswordLookup = (u) => (u.toLowerCase() === 'operator' ? 'Passw0rd!' : undefined);
const creds = (over: Partial<NtlmCredentials> = {}): NtlmCredentials => ({
  username: 'operator',
  password: 'Passw0rd!',
  domain: 'SIM',
  workstation: 'MEDIC',
  ...over,
});

function handshake(c: NtlmCredentials, opts: { timestamp?: boolean } = {}) {
  const client = new NtlmClient(c, { allowMissingTimestamp: opts.timestamp === false });
  const server = new NtlmServerContext({ ...SERVER, ...opts });
  const type2 = server.challenge(client.negotiate());
  const type3 = client.authenticate(type2);
  return { client, server, type2, type3 };
}

function authenticated(c: NtlmCredentials): { client: NtlmSession; server: NtlmSession; user: AuthenticatedUser } {
  const { client, server, type3 } = handshake(c);
  const user = server.authenticate(type3, lookup);
  assert.ok(user, 'expected authentication to succeed');
  assert.ok(client.session);
  return { client: client.session, server: user.session, user };
}

/** Re-encodes a UTF-16LE security-buffer string in place (same length). */
function patchString(msg: Buffer, at: number, value: string): Buffer {
  const out = Buffer.from(msg);
  const field = Buffer.from(value, 'utf16le');
  assert.equal(field.length, msg.readUInt16LE(at));
  field.copy(out, out.readUInt32LE(at + 4));
  return out;
}

test('Type1 advertises exactly the documented client flags', () => {
  const type1 = new NtlmClient(creds()).negotiate();
  assert.equal(type1.readUInt32LE(12), 0xe2088235);
});

test('Type2 echoes charset and SIGN/SEAL/KEY_EXCH, carries a small TargetInfo and a fresh challenge', () => {
  const server = new NtlmServerContext(SERVER);
  const type1 = new NtlmClient(creds()).negotiate();
  const a = server.challenge(type1);
  const b = server.challenge(type1);
  const flags = a.readUInt32LE(20);
  for (const f of [Flags.UNICODE, Flags.SIGN, Flags.SEAL, Flags.KEY_EXCH, Flags.EXTENDED_SESSIONSECURITY, Flags.TARGET_INFO]) {
    assert.ok(flags & f, `flag ${f.toString(16)} missing`);
  }
  assert.equal(flags & Flags.OEM, 0);
  assert.notDeepEqual(a.subarray(24, 32), b.subarray(24, 32));
  assert.ok(readField(a, 40).length < 500);
});

test('authenticates with the right password; the domain is accepted as sent or upper-cased', () => {
  for (const domain of ['SIM', 'sim', '', '.']) {
    const { user } = authenticated(creds({ domain }));
    assert.equal(user.username, 'operator');
    assert.equal(user.domain, domain === '.' ? '' : domain);
  }
  // winrm-client style: hashed with UPPER(domain) but sent as typed (it sends no MIC, which would cover the domain).
  const { server, type3 } = handshake(creds({ domain: 'SIM' }), { timestamp: false });
  const user = server.authenticate(patchString(type3, 28, 'sim'), lookup);
  assert.equal(user?.domain, 'sim');
});

test('rejects a wrong password, an unknown user, an empty user and a tampered NTProofStr', () => {
  const wrong = handshake(creds({ password: 'wrong' }));
  assert.equal(wrong.server.authenticate(wrong.type3, lookup), null);
  const unknown = handshake(creds({ username: 'nobody' }));
  assert.equal(unknown.server.authenticate(unknown.type3, lookup), null);
  const empty = handshake(creds({ username: '' }));
  assert.equal(empty.server.authenticate(empty.type3, () => 'Passw0rd!'), null);
  const tampered = handshake(creds());
  const t3 = Buffer.from(tampered.type3);
  t3[t3.readUInt32LE(24)]! ^= 0x01; // first byte of NtChallengeResponse = NTProofStr
  assert.equal(tampered.server.authenticate(t3, lookup), null);
});

test('rejects NTLMv1 (NtChallengeResponse of 24 bytes)', () => {
  const { server, type3 } = handshake(creds());
  const t3 = Buffer.from(type3);
  t3.writeUInt16LE(24, 20);
  t3.writeUInt16LE(24, 22);
  assert.equal(server.authenticate(t3, lookup), null);
});

test('the challenge is single-use, and a Type3 without a challenge is an NtlmError', () => {
  const { server, type3 } = handshake(creds());
  assert.ok(server.authenticate(type3, lookup));
  assert.throws(() => server.authenticate(type3, lookup), NtlmError);
  assert.throws(() => new NtlmServerContext(SERVER).authenticate(type3, lookup), /without a preceding CHALLENGE/);
});

test('malformed messages throw NtlmError on both ends', () => {
  const server = new NtlmServerContext(SERVER);
  assert.throws(() => server.challenge(Buffer.from('not ntlm at all')), NtlmError);
  const client = new NtlmClient(creds());
  assert.throws(() => client.authenticate(challengeMessage()), /before negotiate/);
  client.negotiate();
  assert.throws(() => client.authenticate(Buffer.from('NTLMSSP\0\x02\0\0\0', 'latin1')), /at least 32/);
  assert.throws(() => client.authenticate(new NtlmClient(creds()).negotiate()), /expected an NTLM CHALLENGE/);
  const badOffset = challengeMessage();
  badOffset.writeUInt32LE(5000, 44);
  assert.throws(() => client.authenticate(badOffset), /TargetInfo points past the end/);
  const noEol = challengeMessage({ targetInfo: Buffer.from('02000c0044006f00', 'hex') });
  assert.throws(() => client.authenticate(noEol), /MsvAvEOL/);
});

test('client refuses servers without extended session security or without TargetInfo (no NTLMv2)', () => {
  const client = new NtlmClient(creds());
  client.negotiate();
  assert.throws(
    () => client.authenticate(challengeMessage({ flags: (SPEC_FLAGS & ~Flags.EXTENDED_SESSIONSECURITY) >>> 0 })),
    (e: unknown) => e instanceof NtlmError && /extended session security/.test(e.message),
  );
  assert.throws(() => client.authenticate(challengeMessage({ targetInfo: Buffer.alloc(0) })), /does not offer NTLMv2/);
});

test('with MsvAvTimestamp the client sends a MIC (and Z(24) LM) and the server verifies it', () => {
  const { server, type2, type3 } = handshake(creds(), { timestamp: true });
  assert.ok(readField(type2, 40).includes(Buffer.from([7, 0, 8, 0])), 'TargetInfo has MsvAvTimestamp');
  assert.deepEqual(readField(type3, 12), Buffer.alloc(24));
  assert.notDeepEqual(type3.subarray(72, 88), Buffer.alloc(16));
  assert.ok(server.authenticate(type3, lookup));

  const again = handshake(creds(), { timestamp: true });
  const forged = patchString(again.type3, 44, 'MEDIX'); // workstation is covered only by the MIC
  assert.equal(again.server.authenticate(forged, lookup), null);

  const noMic = handshake(creds(), { timestamp: true });
  const zeroed = Buffer.from(noMic.type3);
  zeroed.fill(0, 72, 88);
  assert.equal(noMic.server.authenticate(zeroed, lookup), null);
});

test('an OEM-only Type1 (winrm-client 0x00088206) gets an OEM Type2, and OEM strings authenticate', () => {
  const type1 = Buffer.alloc(32);
  type1.write('NTLMSSP\0', 0, 'latin1');
  type1.writeUInt32LE(1, 8);
  type1.writeUInt32LE(0x00088206, 12);
  // winrm-client sends no MIC; with ours the MIC would cover our own Type1, not this hand-made one.
  const server = new NtlmServerContext({ ...SERVER, timestamp: false });
  const type2 = server.challenge(type1);
  const flags = type2.readUInt32LE(20);
  assert.equal(flags & Flags.UNICODE, 0);
  assert.ok(flags & Flags.OEM);
  assert.equal(readField(type2, 12).toString('latin1'), 'SIM');
  const client = new NtlmClient(creds(), { allowMissingTimestamp: true });
  client.negotiate();
  const type3 = client.authenticate(type2);
  assert.equal(readField(type3, 36).toString('latin1'), 'operator');
  assert.equal(server.authenticate(type3, lookup)?.username, 'operator');
});

test('sessions seal/unseal many messages both ways; sequence numbers advance per direction', () => {
  const { client, server } = authenticated(creds());
  for (let i = 0; i < 50; i++) {
    const up = Buffer.from(`<request n="${i}">${'x'.repeat(i * 7)}</request>`);
    const a = client.seal(up);
    assert.equal(a.signature.readUInt32LE(12), i);
    assert.equal(a.sealed.length, up.length);
    assert.notDeepEqual(a.sealed, up);
    assert.deepEqual(server.unseal(a.sealed, a.signature), up);
    if (i % 3 === 0) continue; // the directions are independent: the server answers only sometimes
    const down = Buffer.from(`response ${i}`);
    const b = server.seal(down);
    assert.deepEqual(client.unseal(b.sealed, b.signature), down);
  }
});

test('a tampered signature, tampered data, a replay or a reordering throws NtlmIntegrityError', () => {
  const cases: ((s: { sealed: Buffer; signature: Buffer }) => { sealed: Buffer; signature: Buffer })[] = [
    (s) => ({ sealed: s.sealed, signature: Buffer.concat([s.signature.subarray(0, 4), Buffer.alloc(8), s.signature.subarray(12)]) }),
    (s) => ({ sealed: Buffer.concat([s.sealed.subarray(0, -1), Buffer.from([s.sealed.at(-1)! ^ 1])]), signature: s.signature }),
    (s) => ({ sealed: s.sealed, signature: s.signature.subarray(0, 15) }),
  ];
  for (const mutate of cases) {
    const { client, server } = authenticated(creds());
    const m = mutate(client.seal(Buffer.from('hello')));
    assert.throws(() => server.unseal(m.sealed, m.signature), NtlmIntegrityError);
  }
  const { client, server } = authenticated(creds());
  client.seal(Buffer.from('one')); // never delivered
  const second = client.seal(Buffer.from('two'));
  assert.throws(() => server.unseal(second.sealed, second.signature), NtlmIntegrityError);
  const fresh = authenticated(creds());
  const m = fresh.client.seal(Buffer.from('once'));
  assert.deepEqual(fresh.server.unseal(m.sealed, m.signature), Buffer.from('once'));
  assert.throws(() => fresh.server.unseal(m.sealed, m.signature), NtlmIntegrityError);
});

test('without KEY_EXCH both ends use the session base key and still interoperate', () => {
  // The client answers an edited challenge, so neither side may involve a MIC (it covers the challenge).
  const server = new NtlmServerContext({ ...SERVER, timestamp: false, randomBytes: () => Buffer.from(SPEC_SERVER_CHALLENGE) });
  const client = new NtlmClient(creds(), { allowMissingTimestamp: true });
  server.challenge(client.negotiate());
  const type3 = client.authenticate(challengeMessage({ flags: (SPEC_FLAGS & ~Flags.KEY_EXCH) >>> 0 }));
  assert.equal(readField(type3, 52).length, 0);
  assert.equal(type3.readUInt32LE(60) & Flags.KEY_EXCH, 0);
  const user = server.authenticate(type3, lookup);
  assert.ok(user && client.session);
  const s = client.session.seal(Buffer.from('no key exchange'));
  assert.deepEqual(user.session.unseal(s.sealed, s.signature), Buffer.from('no key exchange'));
  const r = user.session.seal(Buffer.from('reply'));
  assert.deepEqual(client.session.unseal(r.sealed, r.signature), Buffer.from('reply'));
});

test('a challenge weaker than Windows\' default minimum is refused before any Type3 exists', () => {
  const refuses = (flags: number, targetInfo: Buffer, requireSealing: boolean, missing: RegExp): void => {
    const client = new NtlmClient(creds(), { requireSealing });
    client.negotiate();
    assert.throws(() => client.authenticate(challengeMessage({ flags, targetInfo })), (e: unknown) => {
      assert.ok(e instanceof NtlmDowngradeError);
      assert.match(e.message, /asked for weaker security/);
      assert.match(e.message, missing);
      return true;
    });
    assert.equal(client.session, undefined);
  };
  const strip = (f: number): number => (SPEC_FLAGS & ~f) >>> 0;
  // The attack: 128-bit, SIGN and SEAL stripped (it used to give a 40-bit key and no MIC).
  refuses(strip(Flags.NEGOTIATE_128 | Flags.SIGN | Flags.SEAL), TIMESTAMPED_TARGET_INFO, true, /128-bit session keys, message signing, message sealing/);
  refuses(strip(Flags.NEGOTIATE_128), TIMESTAMPED_TARGET_INFO, false, /128-bit/);
  refuses(strip(Flags.SEAL), TIMESTAMPED_TARGET_INFO, true, /message sealing/);
  refuses(SPEC_FLAGS, SPEC_TARGET_INFO, false, /MsvAvTimestamp/);

  // Over HTTPS nothing is sealed: a server without SIGN/SEAL is acceptable, 128-bit and the MIC still required.
  const https = new NtlmClient(creds(), { requireSealing: false });
  https.negotiate();
  const type3 = https.authenticate(challengeMessage({ flags: strip(Flags.SIGN | Flags.SEAL), targetInfo: TIMESTAMPED_TARGET_INFO }));
  assert.notDeepEqual(type3.subarray(72, 88), Buffer.alloc(16), 'MIC present');
});

test('a challenge edited in transit (a flag the client still accepts) is caught by the server through the MIC', () => {
  const client = new NtlmClient(creds(), { requireSealing: true });
  const server = new NtlmServerContext(SERVER);
  const type2 = Buffer.from(server.challenge(client.negotiate()));
  type2.writeUInt32LE((type2.readUInt32LE(20) & ~Flags.KEY_EXCH) >>> 0, 20);
  const type3 = client.authenticate(type2);
  assert.equal(server.authenticate(type3, lookup), null);
});

test('channel bindings: the server reads MD5(gss_channel_bindings_struct) from the client\'s blob; absent without', () => {
  const appData = Buffer.concat([Buffer.from('tls-server-end-point:'), Buffer.alloc(32, 0xab)]);
  const client = new NtlmClient(creds(), { channelBindings: appData });
  const server = new NtlmServerContext(SERVER);
  const user = server.authenticate(client.authenticate(server.challenge(client.negotiate())), lookup);
  assert.ok(user);
  assert.deepEqual(user.channelBindings, channelBindingsHash(appData));
  // RFC 2744 layout: four u32 zeros, the length, then the data.
  const struct = Buffer.concat([Buffer.alloc(16), Buffer.from([appData.length, 0, 0, 0]), appData]);
  assert.deepEqual(user.channelBindings, createHash('md5').update(struct).digest());
  assert.equal(authenticated(creds()).user.channelBindings, undefined);
});
