// RFC 5929 tls-server-end-point: the hash follows the certificate's signature algorithm (SHA-256 for MD5
// and SHA-1). Expected values come from requests_ntlm's own implementation (Debian's python3-requests-ntlm,
// on python3-cryptography), run on the same openssl-made certificates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tlsServerEndPoint } from '../../src/ntlm/index.ts';
import { opensslCert } from '../support/openssl-cert.ts';
import type { CertKind } from '../support/openssl-cert.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'cbt-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** requests_ntlm's _get_certificate_hash of a DER certificate, as hex. */
function requestsNtlmHash(der: Buffer): string {
  const script = 'import sys, base64\nfrom requests_ntlm.requests_ntlm import _get_certificate_hash\nprint(_get_certificate_hash(base64.b64decode(sys.argv[1])))';
  return execFileSync('/usr/bin/python3', ['-c', script, der.toString('base64')], { encoding: 'utf8' }).trim().toLowerCase();
}

for (const [kind, bytes] of [['rsa-sha256', 32], ['rsa-sha384', 48], ['rsa-sha1', 32], ['ec-sha512', 64]] as [CertKind, number][]) {
  test(`${kind}: tls-server-end-point matches requests_ntlm (${bytes}-byte hash)`, () => {
    const { der } = opensslCert(dir, kind);
    const data = tlsServerEndPoint(der);
    const prefix = Buffer.from('tls-server-end-point:');
    assert.deepEqual(data.subarray(0, prefix.length), prefix);
    assert.equal(data.length - prefix.length, bytes);
    assert.equal(data.subarray(prefix.length).toString('hex'), requestsNtlmHash(der));
  });
}

test('RSASSA-PSS: the hash named in the PSS parameters (requests_ntlm cannot do this one)', () => {
  const { der } = opensslCert(dir, 'rsa-pss-sha384');
  assert.equal(tlsServerEndPoint(der).subarray(21).toString('hex'), createHash('sha384').update(der).digest('hex'));
});
