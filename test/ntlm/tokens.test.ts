// Authorization header parsing: raw NTLMSSP tokens under both schemes, SPNEGO unwrapping, and rejects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NtlmClient, parseAuthorizationHeader } from '../../src/ntlm/index.ts';

const type1 = new NtlmClient({ username: 'u', password: 'p', domain: '' }).negotiate();

/** DER TLV with definite length (short or long form). */
function der(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const OID_SPNEGO = Buffer.from('06062b0601050502', 'hex');
const OID_NTLM = Buffer.from('060a2b0601040182370202 0a'.replace(/ /g, ''), 'hex');

function negTokenInit(mechToken: Buffer): Buffer {
  return der(0x60, OID_SPNEGO, der(0xa0, der(0x30, der(0xa0, der(0x30, OID_NTLM)), der(0xa2, der(0x04, mechToken)))));
}

test('raw NTLMSSP tokens under NTLM and Negotiate, any scheme case', () => {
  const b64 = type1.toString('base64');
  assert.deepEqual(parseAuthorizationHeader(`NTLM ${b64}`), { scheme: 'NTLM', token: type1, spnego: false });
  assert.deepEqual(parseAuthorizationHeader(`Negotiate ${b64}`), { scheme: 'Negotiate', token: type1, spnego: false });
  assert.equal(parseAuthorizationHeader(`negotiate  ${b64} `)?.scheme, 'Negotiate');
});

test('rejects missing headers, other schemes, missing or non-NTLM tokens', () => {
  for (const h of [undefined, '', 'Negotiate', 'Basic dXNlcjpwYXNz', 'NTLM !!!', `Kerberos ${type1.toString('base64')}`, `NTLM ${Buffer.from('hello world, not ntlm').toString('base64')}`]) {
    assert.equal(parseAuthorizationHeader(h), null, String(h));
  }
});

test('unwraps SPNEGO NegTokenInit (0x60) and NegTokenResp (0xa1) carrying NTLMSSP', () => {
  const init = negTokenInit(type1);
  assert.deepEqual(parseAuthorizationHeader(`Negotiate ${init.toString('base64')}`), { scheme: 'Negotiate', token: type1, spnego: true });
  const big = Buffer.concat([type1, Buffer.alloc(300)]); // forces long-form DER lengths
  assert.deepEqual(parseAuthorizationHeader(`Negotiate ${negTokenInit(big).toString('base64')}`)?.token, big);
  const resp = der(0xa1, der(0x30, der(0xa0, der(0x0a, Buffer.from([1]))), der(0xa2, der(0x04, type1))));
  assert.deepEqual(parseAuthorizationHeader(`Negotiate ${resp.toString('base64')}`)?.token, type1);
});

test('SPNEGO without an NTLMSSP inner token (e.g. Kerberos) or with broken DER yields null', () => {
  const kerberos = negTokenInit(Buffer.from('6082' + '00'.repeat(20), 'hex'));
  assert.equal(parseAuthorizationHeader(`Negotiate ${kerberos.toString('base64')}`), null);
  const truncated = negTokenInit(type1).subarray(0, 20);
  assert.equal(parseAuthorizationHeader(`Negotiate ${truncated.toString('base64')}`), null);
  const wrongOid = Buffer.from(negTokenInit(type1));
  wrongOid[4] = 0x2c;
  assert.equal(parseAuthorizationHeader(`Negotiate ${wrongOid.toString('base64')}`), null);
});
