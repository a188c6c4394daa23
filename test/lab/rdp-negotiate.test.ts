import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate, tlsPolicy } from '../../src/lab/rdp/index.ts';
import type { NegotiationAnswer } from '../../src/lab/rdp/index.ts';

const cert = { certPem: 'x', keyPem: 'y', keyReadable: true };
const sel = (protocol: number): NegotiationAnswer => ({ kind: 'select', protocol });
const fail = (code: number): NegotiationAnswer => ({ kind: 'failure', code });

test('decision table: securityLayer × nla × certificate × requestedProtocols', () => {
  const rows: Array<[0 | 1 | 2, boolean, boolean, number | undefined, NegotiationAnswer]> = [
    // SecurityLayer 0: RDP only
    [0, false, true, 0x0, sel(0)],
    [0, false, true, 0x1, fail(2)],
    [0, false, true, 0xb, fail(2)],
    [0, true, true, 0x2, fail(2)],
    [0, false, true, undefined, { kind: 'legacy' }],
    // Negotiate, NLA required
    [1, true, true, 0xb, sel(8)],
    [1, true, true, 0x3, sel(2)],
    [1, true, true, 0x1, fail(5)],
    [1, true, true, 0x0, fail(5)],
    [1, true, false, 0xb, fail(3)],
    [1, true, true, undefined, { kind: 'drop' }],
    // Negotiate, NLA not required
    [1, false, true, 0xb, sel(1)],
    [1, false, true, 0x1, sel(1)],
    [1, false, true, 0x2, sel(2)],
    [1, false, true, 0x0, sel(0)],
    [1, false, true, 0x4, sel(0)],
    [1, false, false, 0x1, fail(3)],
    [1, false, false, 0x0, sel(0)],
    [1, false, true, undefined, { kind: 'legacy' }],
    // TLS required
    [2, false, true, 0xb, sel(1)],
    [2, false, true, 0x0, fail(1)],
    [2, false, true, 0xa, sel(8)],
    [2, false, false, 0xb, fail(3)],
    [2, false, false, 0x0, fail(1)],
    [2, true, true, 0xb, sel(8)],
    [2, true, true, 0x1, fail(5)],
    [2, false, true, undefined, { kind: 'drop' }],
  ];
  for (const [securityLayer, nla, hasCert, requested, expected] of rows) {
    assert.deepEqual(
      negotiate({ securityLayer, nla, certificate: hasCert ? cert : null }, requested),
      expected,
      `SL${securityLayer} nla=${nla} cert=${hasCert} requested=${requested}`,
    );
  }
});

test('tlsPolicy maps Schannel switches to OpenSSL versions', () => {
  assert.equal(tlsPolicy({ tls10: false, tls11: false, tls12: false }), null);
  assert.deepEqual(tlsPolicy({ tls10: false, tls11: false, tls12: true }), {
    minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', secureOptions: 0, ciphers: undefined,
  });
  const p = tlsPolicy({ tls10: true, tls11: false, tls12: true });
  assert.equal(p?.minVersion, 'TLSv1');
  assert.equal(p?.maxVersion, 'TLSv1.2');
  assert.notEqual(p?.secureOptions, 0);
  assert.equal(p?.ciphers, 'DEFAULT:@SECLEVEL=0');
});
