import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash, createPrivateKey, createPublicKey } from 'node:crypto';
import { createCertificate, createLabCa, thumbprintOf } from '../../src/lab/certs/index.ts';

const day = 86_400_000;

test('self-signed RSA leaf: dates, names, EKU, thumbprints', () => {
  const notBefore = new Date('2024-01-01T00:00:00Z');
  const notAfter = new Date('2024-01-02T00:00:00Z');
  const c = createCertificate({ commonName: 'rdp-expired.local', dnsNames: ['rdp-test.local'], ipAddresses: ['127.0.0.1'], notBefore, notAfter });
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
  assert.match(x.serialNumber, /^[0-7][0-9A-F]{31}$/, 'positive 16-byte serial');
  // The key matches the certificate.
  assert.deepEqual(
    createPublicKey(createPrivateKey(c.keyPem)).export({ format: 'der', type: 'spki' }),
    x.publicKey.export({ format: 'der', type: 'spki' }),
  );
  // keyUsage is digitalSignature|keyEncipherment without keyCertSign, like Windows' RDP certs:
  // OpenSSL therefore does not consider it to have issued itself (rdp-probe.md §7).
  assert.equal(x.checkIssued(x), false);
});

test('dates past 2049 (GeneralizedTime) are honoured', () => {
  const notBefore = new Date('2049-12-31T23:59:59Z');
  const notAfter = new Date('2051-06-01T12:00:00Z');
  const x = new X509Certificate(createCertificate({ commonName: 'far.lab', notBefore, notAfter }).certPem);
  assert.equal(new Date(x.validFrom).getTime(), notBefore.getTime());
  assert.equal(new Date(x.validTo).getTime(), notAfter.getTime());
  assert.equal(x.subjectAltName, undefined, 'no SAN extension without names');
});

test('leaf key pairs are reused (cached per process) but certificates differ', () => {
  const now = Date.now();
  const a = createCertificate({ commonName: 'a', notBefore: new Date(now - day), notAfter: new Date(now + day) });
  const b = createCertificate({ commonName: 'a', notBefore: new Date(now - day), notAfter: new Date(now + day) });
  assert.equal(a.keyPem, b.keyPem);
  assert.notEqual(a.thumbprint, b.thumbprint); // fresh serial
  assert.notEqual(new X509Certificate(a.certPem).serialNumber, new X509Certificate(b.certPem).serialNumber);
});

test('lab CA: basicConstraints CA, self-issued', () => {
  const ca = createLabCa();
  const x = new X509Certificate(ca.certPem);
  assert.equal(x.ca, true);
  assert.equal(x.subject, 'CN=rdp-medic Lab CA');
  assert.ok(x.checkIssued(x), 'keyCertSign: the CA issued itself');
  assert.ok(x.verify(x.publicKey));
  assert.ok(Date.parse(x.validFrom) < Date.now() && Date.now() < Date.parse(x.validTo));
});

test('CA-signed leaf verifies against the CA', () => {
  const ca = createLabCa({ commonName: 'Test CA' });
  const caX = new X509Certificate(ca.certPem);
  const now = Date.now();
  const leaf = createCertificate({
    commonName: 'winrm.lab', dnsNames: ['winrm.lab'], ipAddresses: ['::1'], notBefore: new Date(now - day), notAfter: new Date(now + 30 * day),
    issuer: ca,
  });
  const x = new X509Certificate(leaf.certPem);
  assert.equal(x.subject, 'CN=winrm.lab');
  assert.equal(x.issuer, caX.subject);
  assert.equal(x.ca, false);
  assert.ok(x.checkIssued(caX));
  assert.ok(x.verify(caX.publicKey));
  assert.equal(x.verify(x.publicKey), false, 'not self-signed');
  assert.equal(x.subjectAltName, 'DNS:winrm.lab, IP Address:0:0:0:0:0:0:0:1');
  assert.deepEqual(x.keyUsage, ['1.3.6.1.5.5.7.3.1']);
  assert.notEqual(leaf.keyPem, ca.keyPem, 'a CA never certifies its own key');
  assert.equal(leaf.sha256, createHash('sha256').update(x.raw).digest('hex'));
  assert.equal(leaf.thumbprint, thumbprintOf(leaf.certPem));
});
