// TLS trust for one host: a private CA bundle, an optional SHA-256 pin of the leaf certificate, and
// verification off only when `insecure: true` is configured explicitly.
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tlsServerEndPoint } from '../ntlm/index.ts';

export interface TlsSettings {
  ca: Buffer | undefined;
  pin: Buffer | undefined;
  insecure: boolean;
}

/** `ca` is PEM contents (string or Buffer) or a path to a PEM file. */
export function loadCa(ca: string | Buffer): Buffer {
  if (Buffer.isBuffer(ca)) return ca;
  if (ca.includes('-----BEGIN')) return Buffer.from(ca);
  return readFileSync(ca);
}

/** Pin as hex (colons allowed, any case) or base64 of the 32-byte SHA-256 of the leaf certificate's DER. */
export function parsePin(pin: string): Buffer {
  const hex = pin.replace(/[:\s]/g, '');
  if (/^[0-9a-fA-F]{64}$/.test(hex)) return Buffer.from(hex, 'hex');
  const b64 = pin.replace(/^sha256\//i, '');
  const raw = Buffer.from(b64, 'base64');
  if (raw.length === 32 && /^[A-Za-z0-9+/]+=*$/.test(b64)) return raw;
  throw new RangeError('pinSha256 must be the SHA-256 of the certificate DER, as 64 hex digits or base64');
}

export function leafFingerprint(socket: TLSSocket): Buffer | undefined {
  const cert = socket.getPeerCertificate(false);
  return cert && Buffer.isBuffer(cert.raw) ? createHash('sha256').update(cert.raw).digest() : undefined;
}

export function pinMatches(socket: TLSSocket, pin: Buffer): boolean {
  const actual = leafFingerprint(socket);
  return actual !== undefined && actual.length === pin.length && timingSafeEqual(actual, pin);
}

/** RFC 5929 tls-server-end-point of a TLS socket's peer certificate; undefined on a plain socket. */
export function channelBindingOf(socket: Socket): Buffer | undefined {
  if (!('getPeerCertificate' in socket)) return undefined;
  const cert = (socket as TLSSocket).getPeerCertificate(false);
  return cert && Buffer.isBuffer(cert.raw) ? tlsServerEndPoint(cert.raw) : undefined;
}
