import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { createCertificate, createLabCa, thumbprintOf } from '../../src/lab/certs/index.ts';

const day = 86_400_000;

test('self-signed RSA leaf: dates, names, EKU, thumbprints', async () => {
  const notBefore = new Date('2024-01-01T00:00:00Z');
  const notAfter = new Date('2024-01-02T00:00:00Z');
  const c = await createCertificate({ commonName: 'rdp-expired.local', dnsNames: ['rdp-test.local'], ipAddresses: ['127.0.0.1'], notBefore, notAfter });
  const x = new X509Certificate(c.certPem);
  assert.equal(new Date(x.validFrom).getTime(), notBefore.getTime());
  assert.equal(new Date(x.validTo).getTime(), notAfter.getTime());
  assert.equal(x.subject, 'CN=rdp-expired.local');
  assert.equal(x.issuer, 'CN=rdp-expired.local');
  assert.equal(x.subjectAltName, 'DNS:rdp-test.local, IP Address:127.0.0.1');
  assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.1']); // Node reports the EKU here
  assert.equal(x.ca, false);
  assert.equal(x.publicKey.asymmetricKeyType, 'rsa');
  assert.equal(x.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.ok(x.verify(x.publicKey), 'self-signature verifies');
  assert.equal(c.thumbprint, x.fingerprint.replaceAll(':', ''));
  assert.match(c.thumbprint, /^[0-9A-F]{40}$/);
  assert.equal(c.sha256, x.fingerprint256.replaceAll(':', '').toLowerCase());
  assert.equal(thumbprintOf(c.certPem), c.thumbprint);
  // The key matches the certificate.
  assert.deepEqual(
    createPublicKey(createPrivateKey(c.keyPem)).export({ format: 'der', type: 'spki' }),
    x.publicKey.export({ format: 'der', type: 'spki' }),
  );
  // keyUsage is digitalSignature|keyEncipherment without keyCertSign, like Windows' RDP certs:
  // OpenSSL therefore does not consider it to have issued itself (rdp-probe.md §7).
  assert.equal(x.checkIssued(x), false);
});

test('leaf key pairs are reused (cached per key type) but certificates differ', async () => {
  const now = Date.now();
  const a = await createCertificate({ commonName: 'a', notBefore: new Date(now - day), notAfter: new Date(now + day) });
  const b = await createCertificate({ commonName: 'a', notBefore: new Date(now - day), notAfter: new Date(now + day) });
  assert.equal(a.keyPem, b.keyPem);
  assert.notEqual(a.thumbprint, b.thumbprint); // fresh serial
  assert.notEqual(new X509Certificate(a.certPem).serialNumber, new X509Certificate(b.certPem).serialNumber);
});

test('CA-signed leaf verifies against the CA (RSA and EC)', async () => {
  for (const keyType of ['rsa', 'ec'] as const) {
    const ca = await createLabCa({ keyType });
    const caX = new X509Certificate(ca.certPem);
    assert.equal(caX.ca, true);
    const now = Date.now();
    const leaf = await createCertificate({
      commonName: `winrm-${keyType}.lab`, dnsNames: [`winrm-${keyType}.lab`], notBefore: new Date(now - day), notAfter: new Date(now + 30 * day),
      keyType, issuer: ca,
    });
    const x = new X509Certificate(leaf.certPem);
    assert.equal(x.issuer, caX.subject);
    assert.ok(x.checkIssued(caX));
    assert.ok(x.verify(caX.publicKey));
    assert.equal(x.publicKey.asymmetricKeyType, keyType);
    assert.notEqual(leaf.keyPem, ca.keyPem, 'a CA never certifies its own key');
    assert.equal(leaf.sha256, createHash('sha256').update(x.raw).digest('hex'));
  }
});
