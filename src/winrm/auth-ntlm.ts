// NTLM over WinRM. Windows (http.sys) keeps the authentication per TCP connection, so:
//  - the first request on a socket runs the handshake (Negotiate Type1 -> 401 Type2 -> Type3);
//  - later requests on the same socket go without Authorization;
//  - a new socket (the old one closed, timed out or was destroyed) means a new handshake.
// Without encryption the SOAP body rides on every leg (as pywinrm/requests_ntlm do). With MS-WSMV
// encryption the legs carry an empty body and the envelope is then sealed with the socket's session.
import type { Socket } from 'node:net';
import { ENCRYPTED_CONTENT_TYPE, NtlmClient, NtlmDowngradeError, isEncryptedContentType, parseAuthorizationHeader, unwrapEncrypted, wrapEncrypted } from '../ntlm/index.ts';
import type { NtlmCredentials, NtlmSession } from '../ntlm/index.ts';
import { WinrmAuthError, WinrmProtocolError, WinrmTransportError } from './errors.ts';
import { SOAP_CONTENT_TYPE, offeredSchemes } from './channel.ts';
import { channelBindingOf } from './tls.ts';
import type { SoapChannel, SoapReply } from './channel.ts';
import type { HttpResult, HttpTransport, PreparedRequest } from './transport.ts';
import type { RequestContext, WinrmStats } from './types.ts';

const EMPTY = Buffer.alloc(0);

export class NtlmChannel implements SoapChannel {
  readonly method = 'ntlm' as const;
  readonly #credentials: NtlmCredentials;
  /** Authenticated sockets; the value is the sealing session when encrypting. */
  private readonly authenticated = new WeakMap<Socket, NtlmSession | null>();

  constructor(
    private readonly transport: HttpTransport,
    private readonly host: string,
    credentials: NtlmCredentials,
    private readonly encrypt: boolean,
    private readonly stats: WinrmStats,
  ) {
    this.#credentials = credentials;
  }

  async exchange(soap: Buffer, ctx: RequestContext): Promise<SoapReply> {
    // Two attempts: a kept-alive socket may have lost its authentication (401), then we handshake anew.
    for (let attempt = 0; ; attempt++) {
      let fresh: { socket: Socket; client: NtlmClient } | undefined;
      const res = await this.transport.post(ctx, (socket) => {
        if (this.authenticated.has(socket)) return this.payload(socket, soap);
        // Over HTTPS the Type3 is bound to this socket's certificate (CBT), so a relay to another server fails.
        const client = new NtlmClient(this.#credentials, { requireSealing: this.encrypt, channelBindings: channelBindingOf(socket) });
        fresh = { socket, client };
        return this.leg(`Negotiate ${client.negotiate().toString('base64')}`, soap);
      });
      if (fresh === undefined) {
        if (res.status === 401 && attempt === 0) {
          this.authenticated.delete(res.socket);
          continue; // a 401 was not processed by the server, so re-sending is safe
        }
        return this.decode(res, ctx);
      }
      return await this.completeHandshake(fresh.socket, fresh.client, res, soap, ctx);
    }
  }

  private async completeHandshake(socket: Socket, client: NtlmClient, challenge: HttpResult, soap: Buffer, ctx: RequestContext): Promise<SoapReply> {
    const type2 = challenge.status === 401
      ? challenge.wwwAuthenticate.map((h) => parseAuthorizationHeader(h)).find((t) => t !== null)
      : undefined;
    if (type2 == null) {
      throw this.authError(ctx, challenge.status === 401
        ? `the server did not answer the NTLM negotiation with a challenge (server offers: ${offeredSchemes(challenge.wwwAuthenticate)}); is Negotiate auth enabled?`
        : `the server answered HTTP ${challenge.status} to the NTLM negotiation instead of a 401 challenge`);
    }
    let type3: Buffer;
    try {
      type3 = client.authenticate(type2.token);
    } catch (error) {
      challenge.socket.destroy(); // never continue a handshake we refused on this connection
      if (error instanceof NtlmDowngradeError) {
        throw this.authError(ctx, `${error.message}. Windows does not do this by default: check the host's NTLM policy (LmCompatibilityLevel, NTLMMinServerSec), or something on the path is tampering with the connection`);
      }
      throw this.authError(ctx, `the NTLM challenge could not be answered: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.stats.handshakes += 1;
    this.stats.authUsed = 'ntlm';
    const res = await this.transport.post(ctx, (next) => {
      this.requireSameSocket(socket, next, ctx);
      return this.leg(`Negotiate ${type3.toString('base64')}`, soap);
    });
    if (res.status === 401) {
      throw this.authError(ctx, 'the user name, password or domain was rejected');
    }
    if (!this.encrypt) {
      this.authenticated.set(socket, null);
      return this.decode(res, ctx);
    }
    if (res.status < 200 || res.status > 299) {
      throw new WinrmProtocolError(`WinRM ${ctx.step} to ${this.host}: the NTLM encrypted-session setup got HTTP ${res.status} instead of 200.`, this.host, ctx.step, res.status);
    }
    const session = client.session;
    if (!session) throw this.authError(ctx, 'the NTLM exchange produced no session key for message encryption');
    this.authenticated.set(socket, session);
    const sealed = await this.transport.post(ctx, (next) => {
      this.requireSameSocket(socket, next, ctx);
      return this.payload(next, soap);
    });
    return this.decode(sealed, ctx);
  }

  /** A handshake leg: with encryption the body waits until the session exists. */
  private leg(authorization: string, soap: Buffer): PreparedRequest {
    return { headers: { Authorization: authorization, 'Content-Type': SOAP_CONTENT_TYPE }, body: this.encrypt ? EMPTY : soap };
  }

  private payload(socket: Socket, soap: Buffer): PreparedRequest {
    const session = this.authenticated.get(socket);
    if (session) return { headers: { 'Content-Type': ENCRYPTED_CONTENT_TYPE }, body: wrapEncrypted(session, soap) };
    return { headers: { 'Content-Type': SOAP_CONTENT_TYPE }, body: soap };
  }

  private decode(res: HttpResult, ctx: RequestContext): SoapReply {
    const session = this.authenticated.get(res.socket);
    if (isEncryptedContentType(res.contentType)) {
      if (!session) {
        throw new WinrmProtocolError(`WinRM ${ctx.step} to ${this.host}: got an encrypted response on a connection without an NTLM session.`, this.host, ctx.step, res.status);
      }
      try {
        return { status: res.status, contentType: SOAP_CONTENT_TYPE, body: unwrapEncrypted(session, res.body) };
      } catch (error) {
        res.socket.destroy(); // the RC4 streams may be out of step: never reuse this connection
        throw new WinrmProtocolError(`WinRM ${ctx.step} to ${this.host}: the encrypted response could not be unsealed (${error instanceof Error ? error.message : String(error)}).`, this.host, ctx.step, res.status);
      }
    }
    if (session && res.status >= 200 && res.status < 300) {
      // Accepting a plaintext success while we encrypt would let anyone on the path forge results.
      res.socket.destroy();
      throw new WinrmProtocolError(`WinRM ${ctx.step} to ${this.host}: the server answered in plaintext on an encrypted NTLM session.`, this.host, ctx.step, res.status);
    }
    return res;
  }

  private requireSameSocket(expected: Socket, actual: Socket, ctx: RequestContext): void {
    if (expected === actual) return;
    throw new WinrmTransportError(
      `WinRM ${ctx.step} to ${this.host}: the server closed the connection in the middle of the NTLM handshake; NTLM needs one kept-alive connection (no Connection: close on the 401).`,
      this.host,
      ctx.step,
      { kind: 'reset' },
    );
  }

  private authError(ctx: RequestContext, why: string): WinrmAuthError {
    return new WinrmAuthError(`WinRM ${ctx.step} to ${this.host}: authentication failed using NTLM: ${why}.`, this.host, ctx.step, 'ntlm');
  }
}
