// Turns Node socket/TLS errors into WinrmTransportError messages that say which host, which step and
// what it means for the operator. Messages are built from error codes only (never from request data).
import { WinrmTransportError } from './errors.ts';
import type { TransportFailure } from './errors.ts';
import type { ErrorStep } from './types.ts';

const TLS_TRUST_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_UNTRUSTED', 'CERT_SIGNATURE_FAILURE',
]);

/** Raised by our own pin check so it can be recognised after travelling through the http stack. */
export class PinMismatch extends Error {
  readonly code = 'ERR_WINRM_PIN_MISMATCH';
}

export function describeNetworkError(error: unknown, host: string, step: ErrorStep, staleSocket: boolean): WinrmTransportError {
  const code = typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const where = `WinRM ${step} to ${host}`;
  let kind: TransportFailure = 'network';
  let text: string;
  if (error instanceof PinMismatch) {
    kind = 'pin';
    text = `${where} refused: the server certificate does not match the configured pinSha256 (${error.message}). The host presented a different certificate; someone may be intercepting, or the certificate was renewed and the pin must be updated.`;
  } else if (code === 'ECONNREFUSED') {
    kind = 'refused';
    text = `${where} failed: connection refused. Nothing listens on that port: is the WinRM service running with a listener for this scheme/port (winrm quickconfig), or does a firewall reject it?`;
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME' || code === 'EAI_FAIL') {
    kind = 'dns';
    text = `${where} failed: the host name does not resolve (${code}). Check the inventory name and DNS.`;
  } else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
    kind = 'unreachable';
    text = `${where} failed: the host is unreachable (${code}). Check routing, VPN and firewalls.`;
  } else if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || (error instanceof Error && error.message === 'socket hang up')) {
    kind = 'reset';
    text = staleSocket
      ? `${where} failed: the kept-alive connection was closed by the server before the request was answered.`
      : `${where} failed: the connection was reset by the server mid-request (${code ?? 'socket hang up'}). The WinRM service may have crashed or a proxy dropped the connection.`;
  } else if (code !== undefined && (TLS_TRUST_CODES.has(code) || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID' || code === 'ERR_TLS_CERT_ALTNAME_INVALID')) {
    kind = 'tls';
    const why = code === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? 'the certificate is not issued for this host name'
      : code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
        ? 'the certificate is outside its validity period'
        : 'the certificate is not signed by a trusted CA';
    text = `${where} failed TLS verification (${code}): ${why}. Configure this host's CA bundle (ca) or a certificate pin; use insecure: true only for a lab.`;
  } else if (code !== undefined && (code.startsWith('ERR_SSL') || code === 'EPROTO' || code.startsWith('ERR_TLS'))) {
    kind = 'tls';
    text = `${where} failed: TLS handshake error (${code}). Is this port serving HTTPS (5986) rather than HTTP (5985)?`;
  } else {
    text = `${where} failed: ${code ?? (error instanceof Error ? error.message : String(error))}.`;
  }
  return new WinrmTransportError(text, host, step, { kind, code, staleSocket, cause: error });
}
