// 'negotiate': Kerberos first; NTLM only when Kerberos cannot be tried at all (no module, no KDC, no
// SPN for the host, realm not configured), as Windows' Negotiate package does. A refused ticket or a
// wrong password never falls back. The choice is made on the first exchange, kept for the client's
// life, logged, and visible in stats.authUsed (so the card can say which method was used).
import { KerberosUnavailableError, WinrmConfigError } from './errors.ts';
import type { SoapChannel, SoapReply } from './channel.ts';
import type { RequestContext, WinrmLogger } from './types.ts';

export class NegotiateChannel implements SoapChannel {
  readonly method = 'negotiate' as const;
  #chosen: SoapChannel | undefined;

  constructor(
    private readonly host: string,
    private readonly makeKerberos: () => SoapChannel,
    private readonly makeNtlm: () => SoapChannel,
    private readonly logger: WinrmLogger | undefined,
  ) {}

  async exchange(soap: Buffer, ctx: RequestContext): Promise<SoapReply> {
    if (this.#chosen) return this.#chosen.exchange(soap, ctx);
    let kerberos: SoapChannel;
    try {
      kerberos = this.makeKerberos();
    } catch (error) {
      if (error instanceof WinrmConfigError) return this.fallBack(error.message, soap, ctx);
      throw error;
    }
    try {
      const reply = await kerberos.exchange(soap, ctx);
      this.#chosen = kerberos;
      return reply;
    } catch (error) {
      // Thrown before a byte of the request was written, so sending it again over NTLM is safe.
      if (error instanceof KerberosUnavailableError) return this.fallBack(error.message, soap, ctx);
      throw error;
    }
  }

  private fallBack(reason: string, soap: Buffer, ctx: RequestContext): Promise<SoapReply> {
    this.logger?.warn({ host: this.host, auth: 'negotiate', using: 'ntlm', reason }, 'WinRM negotiate: Kerberos is unavailable for this host, falling back to NTLM');
    this.#chosen = this.makeNtlm();
    return this.#chosen.exchange(soap, ctx);
  }
}
