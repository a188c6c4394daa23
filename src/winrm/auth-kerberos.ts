// Kerberos (SPNEGO under the Negotiate scheme) for WinRM over HTTPS. Like NTLM in http.sys it is bound
// to the TCP connection, but it needs no 401 leg: the first request on a socket carries the ticket
// (AP-REQ) and the SOAP body, and the answer carries the host's mutual-authentication token, which must
// verify before anything the host said is believed. Later requests on the socket go without a header.
// Over plain http WinRM would need GSS IOV wrap for message encryption, which the GSSAPI binding does
// not offer: http is refused in options.ts (docs/decisions/0011-kerberos.md).
import type { Socket } from 'node:net';
import { KerberosUnavailableError, WinrmAuthError, WinrmConfigError, WinrmProtocolError } from './errors.ts';
import { SOAP_CONTENT_TYPE, offeredSchemes } from './channel.ts';
import type { SoapChannel, SoapReply } from './channel.ts';
import { FifoLock } from './lock.ts';
import { loadGssapi } from './kerberos/gssapi.ts';
import type { GssClient, Gssapi } from './kerberos/gssapi.ts';
import { TicketError } from './kerberos/ticket-cache.ts';
import type { TicketCache } from './kerberos/ticket-cache.ts';
import type { HttpResult, HttpTransport, PreparedRequest } from './transport.ts';
import type { RequestContext, WinrmStats } from './types.ts';

export interface KerberosSettings {
  /** Service principal, e.g. HTTP/host.example.com (GSSAPI host-based form is derived from it). */
  spn: string;
  tickets: TicketCache;
  /** Get a fresh TGT when the current one expires within this. */
  renewBeforeMs: number;
  /** Bound on kinit/klist (the KDC round trips). */
  kdcTimeoutMs: number;
}

/**
 * GSSAPI reads KRB5CCNAME from the process environment when a context acquires its credentials, so
 * starting a context (first step) is serialised process-wide with KRB5CCNAME pointing at this
 * credential's private cache, and restored afterwards.
 */
const environmentLock = new FifoLock();

async function withCcache<T>(ccache: string, fn: () => Promise<T>): Promise<T> {
  const release = await environmentLock.acquire();
  const before = process.env.KRB5CCNAME;
  process.env.KRB5CCNAME = ccache;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.KRB5CCNAME;
    else process.env.KRB5CCNAME = before;
    release();
  }
}

/** "HTTP/host@REALM" or "HTTP/host" -> "HTTP@host" (GSS_C_NT_HOSTBASED_SERVICE, what the binding takes). */
export function hostBasedService(spn: string): string {
  const m = /^([^/@]+)\/([^@]+)(@.*)?$/.exec(spn);
  return m ? `${m[1]}@${m[2]}` : spn;
}

const NEGOTIATE_RE = /^\s*Negotiate\s+([A-Za-z0-9+/]+={0,2})\s*$/i;

/** What GSSAPI said, mapped to the cause an operator can act on (MIT krb5 wording). */
function describeGssFailure(message: string, spn: string): string {
  if (/not found in Kerberos database|Server .* not found/i.test(message)) {
    return `the KDC has no service principal ${spn} (register it: setspn -S ${spn} <computer account>, or set kerberos.spn to the name the host has)`;
  }
  if (/Clock skew/i.test(message)) return 'the clocks differ by more than the allowed skew (5 minutes by default): fix NTP';
  if (/expired/i.test(message)) return 'the ticket has expired';
  if (/Cannot contact any KDC|Cannot find KDC/i.test(message)) return 'no KDC could be reached for the service ticket';
  return `GSSAPI: ${message.split('\n')[0]!.slice(0, 200)}`;
}

export class KerberosChannel implements SoapChannel {
  readonly method = 'kerberos' as const;
  readonly #gss: Gssapi;
  private readonly authenticated = new WeakSet<Socket>();

  constructor(
    private readonly transport: HttpTransport,
    private readonly host: string,
    private readonly settings: KerberosSettings,
    private readonly stats: WinrmStats,
  ) {
    try {
      this.#gss = loadGssapi();
    } catch (error) {
      throw new WinrmConfigError(`WinRM client for ${host}: ${(error as Error).message}`, host, 'config');
    }
  }

  async exchange(soap: Buffer, ctx: RequestContext): Promise<SoapReply> {
    await this.freshTicket(ctx);
    for (let attempt = 0; ; attempt++) {
      let fresh: GssClient | undefined;
      const res = await this.transport.post(ctx, async (socket): Promise<PreparedRequest> => {
        if (this.authenticated.has(socket)) return { headers: { 'Content-Type': SOAP_CONTENT_TYPE }, body: soap };
        const { client, token } = await this.startContext(ctx);
        fresh = client;
        return { headers: { Authorization: `Negotiate ${token}`, 'Content-Type': SOAP_CONTENT_TYPE }, body: soap };
      });
      if (fresh === undefined) {
        if (res.status === 401 && attempt === 0) {
          this.authenticated.delete(res.socket);
          continue; // the kept-alive socket lost its authentication; a 401 was not processed, so resend
        }
        return res;
      }
      return await this.completeContext(fresh, res, ctx);
    }
  }

  private async freshTicket(ctx: RequestContext): Promise<void> {
    try {
      await this.settings.tickets.ensure(this.settings.renewBeforeMs, this.settings.kdcTimeoutMs);
    } catch (error) {
      const why = error instanceof TicketError ? error.message : `kinit failed: ${String(error)}`;
      const unavailable = error instanceof TicketError && ['kdc-unreachable', 'realm', 'timeout', 'tools'].includes(error.kind);
      throw this.authError(ctx, `no Kerberos ticket could be obtained: ${why}`, unavailable);
    }
  }

  private async startContext(ctx: RequestContext): Promise<{ client: GssClient; token: string }> {
    try {
      return await withCcache(this.settings.tickets.name, async () => {
        const client = await this.#gss.initializeClient(hostBasedService(this.settings.spn), {
          mechOID: this.#gss.GSS_MECH_OID_SPNEGO,
          gssFlag: this.#gss.GSS_C_MUTUAL_FLAG | this.#gss.GSS_C_SEQUENCE_FLAG,
        });
        return { client, token: await client.step('') };
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/expired/i.test(message)) this.settings.tickets.invalidate();
      const unavailable = /not found in Kerberos database|Cannot contact any KDC|Cannot find KDC/i.test(message);
      throw this.authError(ctx, describeGssFailure(message, this.settings.spn), unavailable);
    }
  }

  private async completeContext(client: GssClient, res: HttpResult, ctx: RequestContext): Promise<SoapReply> {
    this.stats.handshakes += 1;
    if (res.status === 401) {
      res.socket.destroy();
      throw this.authError(ctx, `the host refused the Kerberos ticket (server offers: ${offeredSchemes(res.wwwAuthenticate)}): the SPN ${this.settings.spn} may belong to another account, the clocks may differ, or the user may not log on to this host over WinRM`);
    }
    const token = res.wwwAuthenticate.map((h) => NEGOTIATE_RE.exec(h)?.[1]).find((t) => t !== undefined);
    try {
      if (token === undefined) throw new Error('no Negotiate token in the answer');
      await client.step(token);
      if (!client.contextComplete) throw new Error('the context is not complete after the host\'s token');
    } catch (error) {
      res.socket.destroy(); // nothing from an unauthenticated peer is used, and the socket is not reused
      throw new WinrmProtocolError(
        `WinRM ${ctx.step} to ${this.host}: the host did not prove its identity (Kerberos mutual authentication failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}); its answer was discarded.`,
        this.host, ctx.step, res.status,
      );
    }
    this.authenticated.add(res.socket);
    this.stats.authUsed = 'kerberos';
    return res;
  }

  /** `unavailable`: Kerberos could not be tried at all, the one case 'negotiate' may fall back from. */
  private authError(ctx: RequestContext, why: string, unavailable = false): WinrmAuthError {
    const message = `WinRM ${ctx.step} to ${this.host}: authentication failed using Kerberos: ${why}.`;
    return unavailable ? new KerberosUnavailableError(message, this.host, ctx.step, 'kerberos') : new WinrmAuthError(message, this.host, ctx.step, 'kerberos');
  }
}
