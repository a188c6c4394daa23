// WinrmClient: one per host. Keeps one shell open and reuses it for sequential commands (warm path:
// Command, Send, Receive), recreates it once if Windows says it is gone (only when the Command step
// itself failed, so nothing that may have started is run twice), and does cleanup in the background.
import { abortError, startDeadline } from './abort.ts';
import { WinrmConfigError, WinrmFaultError } from './errors.ts';
import { FAULT } from './faults.ts';
import { FifoLock } from './lock.ts';
import { POWERSHELL, powerShellArgs } from './powershell.ts';
import { receiveUntilDone } from './receive.ts';
import { OutputCollector } from './streams.ts';
import { assertSendable } from './command-line.ts';
import type { BackgroundWork } from './background.ts';
import type { CallScope, ShellProtocol } from './shell.ts';
import type { HttpTransport } from './transport.ts';
import type { CommandResult, RunOptions, WinrmStats } from './types.ts';

interface WarmShell {
  id: string;
  /** Settles when the background Signal of the previous command is done. */
  idle: Promise<void>;
}

export interface ClientParts {
  host: string;
  commandMs: number;
  /** One command's stdout and stderr together may not pass this. */
  maxOutputBytes: number;
  stats: WinrmStats;
  protocol: ShellProtocol;
  transport: HttpTransport;
  background: BackgroundWork;
}

const isShellGone = (error: unknown): boolean => error instanceof WinrmFaultError && error.code === FAULT.SHELL_NOT_FOUND;

export class WinrmClient {
  readonly host: string;
  readonly stats: WinrmStats;
  private readonly protocol: ShellProtocol;
  private readonly transport: HttpTransport;
  private readonly background: BackgroundWork;
  private readonly commandMs: number;
  private readonly maxOutputBytes: number;
  /** Commands on the warm shell run one after another. */
  private readonly shellLock = new FifoLock();
  private readonly active = new Set<Promise<unknown>>();
  private shell: WarmShell | undefined;
  private closing: Promise<void> | undefined;

  constructor(parts: ClientParts) {
    this.host = parts.host;
    this.stats = parts.stats;
    this.protocol = parts.protocol;
    this.transport = parts.transport;
    this.background = parts.background;
    this.commandMs = parts.commandMs;
    this.maxOutputBytes = parts.maxOutputBytes;
  }

  /** Runs `command args...` on the kept shell; the result returns as soon as the command is Done. */
  run(command: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<CommandResult> {
    return this.track(() => this.scoped(command, args, opts, async (stdin, scope) => {
      let release: () => void;
      try {
        release = await this.shellLock.acquire(scope.signal);
      } catch (_aborted) {
        throw abortError({ step: 'command', timeoutMs: 0, ...scope }, this.host);
      }
      try {
        return await this.runOnWarmShell(command, args, stdin, scope);
      } finally {
        release();
      }
    }));
  }

  /** Runs `script` with powershell.exe -EncodedCommand; stdin (if any) is sent with End=true. */
  runPowerShell(script: string, stdin?: Buffer | string, opts: Omit<RunOptions, 'stdin'> = {}): Promise<CommandResult> {
    let args: string[];
    try {
      args = powerShellArgs(this.host, script);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.run(POWERSHELL, args, { ...opts, stdin });
  }

  /** Runs one command in a shell of its own, created and deleted (in the background) for it. */
  runOnce(command: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<CommandResult> {
    return this.track(() => this.scoped(command, args, opts, async (stdin, scope) => {
      const shellId = await this.protocol.create(scope);
      let commandId: string | undefined;
      try {
        commandId = await this.protocol.command(shellId, command, args, scope, stdin.length > 0);
        const result = await this.feedAndCollect(shellId, commandId, stdin, scope);
        this.cleanup(shellId, commandId, true);
        return result;
      } catch (error) {
        this.cleanup(shellId, commandId, !isShellGone(error));
        throw error;
      }
    }));
  }

  /** Settles when background cleanup (the previous command's Signal) is done: the next command then starts at once. */
  whenIdle(): Promise<void> {
    return this.background.drain();
  }

  /** Waits for running commands and background cleanup, deletes the kept shell, closes the connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await Promise.allSettled([...this.active]);
      const shell = this.shell;
      this.shell = undefined;
      if (shell !== undefined) {
        await shell.idle;
        void this.background.run('delete', () => this.protocol.delete(shell.id));
      }
      await this.background.drain();
      this.transport.destroy();
    })();
    return this.closing;
  }

  private async runOnWarmShell(command: string, args: readonly string[], stdin: Buffer, scope: CallScope): Promise<CommandResult> {
    const warm = await this.warmShell(scope);
    let shell = warm.shell;
    let commandId: string;
    try {
      commandId = await this.protocol.command(shell.id, command, args, scope, stdin.length > 0);
    } catch (error) {
      if (!(warm.reused && isShellGone(error))) {
        this.afterCommandStepFailure(shell, error);
        throw error;
      }
      // The shell vanished (idle timeout, WinRM restart): the command never started, so retry once.
      this.shell = undefined;
      ({ shell } = await this.warmShell(scope));
      try {
        commandId = await this.protocol.command(shell.id, command, args, scope, stdin.length > 0);
      } catch (retryError) {
        this.afterCommandStepFailure(shell, retryError);
        throw retryError;
      }
    }
    try {
      const result = await this.feedAndCollect(shell.id, commandId, stdin, scope);
      const id = commandId;
      shell.idle = this.background.run('signal', () => this.protocol.signalTerminate(shell.id, id));
      return result;
    } catch (error) {
      this.discard(shell, commandId, error);
      throw error;
    }
  }

  private async warmShell(scope: CallScope): Promise<{ shell: WarmShell; reused: boolean }> {
    if (this.shell !== undefined) {
      await this.shell.idle;
      return { shell: this.shell, reused: true };
    }
    const id = await this.protocol.create(scope);
    this.stats.shellsCreated += 1;
    this.shell = { id, idle: Promise.resolve() };
    return { shell: this.shell, reused: false };
  }

  /** A fault on Command leaves the shell usable; anything else (timeout, reset) leaves it in doubt. */
  private afterCommandStepFailure(shell: WarmShell, error: unknown): void {
    if (error instanceof WinrmFaultError && !isShellGone(error)) return;
    this.discard(shell, undefined, error);
  }

  private discard(shell: WarmShell, commandId: string | undefined, error: unknown): void {
    if (this.shell === shell) this.shell = undefined;
    this.cleanup(shell.id, commandId, !isShellGone(error));
  }

  /** Signal terminate (if a command started), then Delete, both in the background, in that order. */
  private cleanup(shellId: string, commandId: string | undefined, shellExists: boolean): void {
    if (!shellExists) return;
    const signalled = commandId === undefined
      ? Promise.resolve()
      : this.background.run('signal', () => this.protocol.signalTerminate(shellId, commandId));
    void this.background.run('delete', async () => {
      await signalled;
      await this.protocol.delete(shellId);
    });
  }

  private async feedAndCollect(shellId: string, commandId: string, stdin: Buffer, scope: CallScope): Promise<CommandResult> {
    await this.protocol.send(shellId, commandId, stdin, scope);
    return receiveUntilDone(this.protocol, shellId, commandId, scope, new OutputCollector(this.host, this.maxOutputBytes));
  }

  /** Validates, then runs `body` under the whole-command deadline combined with the caller's signal. */
  private async scoped<T>(command: string, args: readonly string[], opts: RunOptions, body: (stdin: Buffer, scope: CallScope) => Promise<T>): Promise<T> {
    if (this.closing !== undefined) throw new WinrmConfigError(`WinRM client for ${this.host} is closed.`, this.host, 'config');
    assertSendable(this.host, command, args);
    const stdin = opts.stdin === undefined ? Buffer.alloc(0) : Buffer.isBuffer(opts.stdin) ? opts.stdin : Buffer.from(opts.stdin, 'utf8');
    const deadline = startDeadline(this.commandMs, opts.signal);
    try {
      return await body(stdin, { signal: deadline.signal, deadlineMs: deadline.ms });
    } finally {
      deadline.dispose();
    }
  }

  private track<T>(start: () => Promise<T>): Promise<T> {
    const promise = start();
    this.active.add(promise);
    const forget = (): void => void this.active.delete(promise);
    promise.then(forget, forget);
    return promise;
  }
}
