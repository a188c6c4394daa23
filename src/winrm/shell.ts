// The WinRS shell operations, one method per SOAP call: Create, Command, Send, Signal, Delete
// (Receive lives in receive.ts). Each picks its timeout and checks the response shape.
import {
  commandEnvelope, createShellEnvelope, deleteShellEnvelope, receiveEnvelope, sendEnvelope, signalTerminateEnvelope,
} from './envelope.ts';
import type { Envelope, EnvelopeSettings } from './envelope.ts';
import { WinrmProtocolError } from './errors.ts';
import { MalformedResponse, expectBodyElement, readCommandId, readReceive, readShellId } from './response.ts';
import type { ReceiveChunk, SoapEnvelope } from './response.ts';
import type { SoapCaller } from './soap.ts';
import type { RequestContext, WinrmStep } from './types.ts';

/** Raw stdin per Send envelope: base64 makes it 4/3 larger, which keeps an envelope well under 150 KB. */
export const STDIN_CHUNK_BYTES = 100 * 1024;

export interface ShellTimeouts {
  requestMs: number;
  operationTimeoutSec: number;
}

/** Per-call cancellation: the command's signal and deadline, if any. */
export interface CallScope {
  signal?: AbortSignal;
  deadlineMs?: number;
}

export class ShellProtocol {
  constructor(
    private readonly soap: SoapCaller,
    private readonly host: string,
    private readonly envelope: EnvelopeSettings,
    private readonly timeouts: ShellTimeouts,
  ) {}

  async create(scope: CallScope = {}): Promise<string> {
    const env = await this.call(createShellEnvelope(this.envelope), scope);
    return this.read('create', () => readShellId(env));
  }

  async command(shellId: string, command: string, args: readonly string[], scope: CallScope = {}, sendsStdin = false): Promise<string> {
    const env = await this.call(commandEnvelope(this.envelope, shellId, command, args, sendsStdin), scope);
    return this.read('command', () => readCommandId(env));
  }

  /** Sends all of stdin, split into envelopes, the last one End="true" (also when stdin is empty). */
  async send(shellId: string, commandId: string, stdin: Buffer, scope: CallScope = {}): Promise<void> {
    let offset = 0;
    do {
      const chunk = stdin.subarray(offset, offset + STDIN_CHUNK_BYTES);
      offset += chunk.length;
      const end = offset >= stdin.length;
      const env = await this.call(sendEnvelope(this.envelope, shellId, commandId, chunk, end), scope);
      this.read('send', () => expectBodyElement(env, 'SendResponse'));
    } while (offset < stdin.length);
  }

  async receive(shellId: string, commandId: string, scope: CallScope = {}): Promise<ReceiveChunk> {
    const env = await this.call(receiveEnvelope(this.envelope, shellId, commandId), scope);
    return this.read('receive', () => readReceive(env));
  }

  async signalTerminate(shellId: string, commandId: string): Promise<void> {
    const env = await this.call(signalTerminateEnvelope(this.envelope, shellId, commandId), {});
    this.read('signal', () => expectBodyElement(env, 'SignalResponse'));
  }

  async delete(shellId: string): Promise<void> {
    await this.call(deleteShellEnvelope(this.envelope, shellId), {});
  }

  private call(envelope: Envelope, scope: CallScope): Promise<SoapEnvelope> {
    return this.soap.call(envelope, this.context(envelope.step, scope));
  }

  /** Receive is a long-poll of OperationTimeout; the HTTP timeout must outlast it. */
  private context(step: WinrmStep, scope: CallScope): RequestContext {
    const { requestMs, operationTimeoutSec } = this.timeouts;
    const timeoutMs = step === 'receive' ? Math.ceil(operationTimeoutSec * 1000) + requestMs : requestMs;
    return { step, timeoutMs, signal: scope.signal, deadlineMs: scope.deadlineMs };
  }

  private read<T>(step: WinrmStep, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      if (error instanceof MalformedResponse) {
        throw new WinrmProtocolError(`WinRM ${step} to ${this.host}: unexpected response: ${error.message}.`, this.host, step, 200);
      }
      throw error;
    }
  }
}
