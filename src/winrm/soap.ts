// One SOAP operation: serialise it behind the host's lock, send it through the auth channel, and turn
// the answer into a parsed envelope or a typed error. The body is read on every status: WinRM faults
// arrive as HTTP 500, and a Receive that timed out is a fault too.
import { abortError } from './abort.ts';
import { WinrmFaultError, WinrmProtocolError, WinrmTransportError } from './errors.ts';
import { faultHint, readFault } from './faults.ts';
import { MalformedResponse, readEnvelope } from './response.ts';
import type { SoapEnvelope } from './response.ts';
import type { SoapChannel, SoapReply } from './channel.ts';
import type { Envelope } from './envelope.ts';
import type { FifoLock } from './lock.ts';
import type { RequestContext, WinrmStats, WinrmStep } from './types.ts';

/** Steps that may be re-sent when a kept-alive socket turned out dead before any answer. */
const RESEND_ON_STALE_SOCKET: ReadonlySet<WinrmStep> = new Set(['create', 'receive', 'signal', 'delete']);

export class SoapCaller {
  constructor(
    private readonly channel: SoapChannel,
    private readonly lock: FifoLock,
    private readonly host: string,
    private readonly stats: WinrmStats,
  ) {}

  async call(envelope: Envelope, ctx: RequestContext): Promise<SoapEnvelope> {
    let release: () => void;
    try {
      release = await this.lock.acquire(ctx.signal);
    } catch (_aborted) {
      throw abortError(ctx, this.host);
    }
    let reply: SoapReply;
    try {
      this.stats.requests[envelope.step] += 1;
      reply = await this.exchange(envelope, ctx);
    } finally {
      release();
    }
    return this.interpret(envelope, reply, ctx);
  }

  private async exchange(envelope: Envelope, ctx: RequestContext): Promise<SoapReply> {
    const body = Buffer.from(envelope.xml, 'utf8');
    try {
      return await this.channel.exchange(body, ctx);
    } catch (error) {
      if (error instanceof WinrmTransportError && error.staleSocket && RESEND_ON_STALE_SOCKET.has(envelope.step)) {
        return await this.channel.exchange(body, ctx);
      }
      throw error;
    }
  }

  private interpret(envelope: Envelope, reply: SoapReply, ctx: RequestContext): SoapEnvelope {
    const { step } = ctx;
    const text = reply.body.toString('utf8');
    let env: SoapEnvelope;
    try {
      env = readEnvelope(text);
    } catch (error) {
      if (!(error instanceof MalformedResponse)) throw error;
      const snippet = text.length === 0 ? 'an empty body' : `"${text.slice(0, 160).replace(/\s+/g, ' ')}${text.length > 160 ? '…' : ''}"`;
      throw new WinrmProtocolError(
        `WinRM ${step} to ${this.host}: the server answered HTTP ${reply.status} (${reply.contentType || 'no content type'}) and ${error.message}: ${snippet}. This is not a WinRM endpoint, or a proxy answered instead.`,
        this.host, step, reply.status,
      );
    }
    if (env.relatesTo !== undefined && env.relatesTo.toLowerCase() !== envelope.messageId.toLowerCase()) {
      throw new WinrmProtocolError(
        `WinRM ${step} to ${this.host}: the response relates to ${env.relatesTo}, not to our request ${envelope.messageId}; refusing a mismatched answer.`,
        this.host, step, reply.status,
      );
    }
    const fault = readFault(env);
    if (fault !== undefined) {
      const hint = faultHint(fault.code);
      const tags = [fault.subcode ?? fault.soapCode];
      if (fault.code !== undefined) tags.push(`code ${fault.code} (0x${fault.code.toString(16).toUpperCase()})`);
      if (fault.machine) tags.push(`machine ${fault.machine}`);
      const detail = fault.faultMessage && fault.faultMessage !== fault.reason ? ` ${fault.faultMessage}` : '';
      throw new WinrmFaultError(
        `WinRM ${step} on ${this.host} failed: ${fault.reason || 'SOAP fault'}${detail}${hint ? ` (${hint})` : ''} [${tags.join(', ')}]`,
        this.host, step, { ...fault, httpStatus: reply.status },
      );
    }
    if (reply.status !== 200) {
      throw new WinrmProtocolError(`WinRM ${step} to ${this.host}: HTTP ${reply.status} without a SOAP fault.`, this.host, step, reply.status);
    }
    return env;
  }
}
