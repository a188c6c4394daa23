// Self-signed certificates made by the openssl CLI (an independent implementation), with a chosen key
// type and signature hash, for the channel-binding tests.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface OpensslCert {
  certPem: string;
  keyPem: string;
  der: Buffer;
}

export type CertKind = 'rsa-sha256' | 'rsa-sha384' | 'rsa-sha1' | 'ec-sha512' | 'rsa-pss-sha384';

export function opensslCert(dir: string, kind: CertKind, commonName = '127.0.0.1'): OpensslCert {
  const key = join(dir, `${kind}.key`);
  const cert = join(dir, `${kind}.pem`);
  const [alg, digest] = kind === 'rsa-pss-sha384' ? ['rsa', 'sha384'] : kind.split('-') as [string, string];
  const args = ['req', '-x509', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${commonName}`, `-${digest}`,
    '-addext', `subjectAltName=IP:${commonName}`];
  if (alg === 'ec') args.push('-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256');
  else args.push('-newkey', 'rsa:2048');
  if (kind === 'rsa-pss-sha384') args.push('-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32');
  execFileSync('openssl', args, { stdio: 'ignore' });
  const certPem = readFileSync(cert, 'utf8');
  return { certPem, keyPem: readFileSync(key, 'utf8'), der: new X509Certificate(certPem).raw };
}
