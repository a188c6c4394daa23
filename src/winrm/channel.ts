// What an authentication scheme offers the SOAP layer: send one plaintext envelope, get the plaintext
// answer (any status except 401, which the scheme turns into WinrmAuthError).
import type { AuthMethod, RequestContext } from './types.ts';

export const SOAP_CONTENT_TYPE = 'application/soap+xml;charset=UTF-8';

export interface SoapReply {
  status: number;
  contentType: string;
  body: Buffer;
}

export interface SoapChannel {
  readonly method: AuthMethod;
  exchange(soap: Buffer, ctx: RequestContext): Promise<SoapReply>;
}

/** Scheme names the server offered in WWW-Authenticate, for error messages (tokens left out). */
export function offeredSchemes(wwwAuthenticate: string[]): string {
  const names = wwwAuthenticate.map((h) => h.trim().split(/\s+/)[0]).filter((n) => n);
  return names.length > 0 ? names.join(', ') : 'none';
}
