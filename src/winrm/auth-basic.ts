// HTTP Basic: the Authorization header goes pre-emptively on every request (Windows checks each one).
import { WinrmAuthError } from './errors.ts';
import { SOAP_CONTENT_TYPE, offeredSchemes } from './channel.ts';
import type { SoapChannel, SoapReply } from './channel.ts';
import type { HttpTransport } from './transport.ts';
import type { RequestContext, WinrmStats } from './types.ts';

export class BasicChannel implements SoapChannel {
  readonly method = 'basic' as const;
  readonly #authorization: string;

  constructor(
    private readonly transport: HttpTransport,
    private readonly host: string,
    username: string,
    password: string,
    private readonly stats: WinrmStats,
  ) {
    // Private field: never enumerable, never in a log line or error.
    this.#authorization = `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
  }

  async exchange(soap: Buffer, ctx: RequestContext): Promise<SoapReply> {
    const res = await this.transport.post(ctx, () => ({
      headers: { Authorization: this.#authorization, 'Content-Type': SOAP_CONTENT_TYPE },
      body: soap,
    }));
    if (res.status === 401) {
      throw new WinrmAuthError(
        `WinRM ${ctx.step} to ${this.host}: authentication failed (HTTP 401) using Basic. Check the user name and password; Windows accepts Basic only for local accounts and only if Basic is enabled on the service (server offers: ${offeredSchemes(res.wwwAuthenticate)}).`,
        this.host,
        ctx.step,
        'basic',
      );
    }
    this.stats.authUsed = 'basic';
    return res;
  }
}
