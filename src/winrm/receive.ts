// The Receive loop: long-poll until CommandState/Done. A w:TimedOut fault (2150858793) only means
// "no output within OperationTimeout", so we poll again; everything else ends the command, and so
// does output past the collector's cap (the caller then terminates the command on the host).
import { WinrmFaultError, WinrmTimeoutError } from './errors.ts';
import { FAULT } from './faults.ts';
import type { OutputCollector } from './streams.ts';
import type { CallScope, ShellProtocol } from './shell.ts';
import type { CommandResult } from './types.ts';

export async function receiveUntilDone(protocol: ShellProtocol, shellId: string, commandId: string, scope: CallScope, output: OutputCollector): Promise<CommandResult> {
  for (;;) {
    let chunk;
    try {
      chunk = await protocol.receive(shellId, commandId, scope);
    } catch (error) {
      if (error instanceof WinrmFaultError && error.code === FAULT.TIMED_OUT) continue;
      if (error instanceof WinrmTimeoutError) error.partialStdout = output.finish(0).stdout;
      throw error;
    }
    for (const stream of chunk.streams) output.push(stream.name, stream.data);
    if (chunk.done) return output.finish(chunk.exitCode ?? 0);
  }
}
