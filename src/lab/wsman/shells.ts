// Shell and command state of one simulated host: Create/Command/Send/Receive/Signal/Delete semantics,
// independent of HTTP. Receive is a long-poll: it settles as soon as output or completion exists,
// otherwise when OperationTimeout expires (TimedOut fault), the shell is deleted or the command is
// signalled (995 fault), or the caller cancels it (its connection went away).
import type { LabProcess, WsmanHost } from '../types.ts';
import { OutputQueue } from './chunks.ts';
import { encodeText, shellCodepage, transcodeUtf8 } from './codepage.ts';
import type { Codepage } from './codepage.ts';
import { joinCommandLine, planCommand } from './cmd.ts';
import { newUuid } from './envelopes.ts';
import type { ReceiveBatch } from './envelopes.ts';
import { faults } from './faults.ts';
import type { WsmanFault } from './faults.ts';
import type { CommandBody, CreateBody, ReceiveBody, SendBody, SignalBody } from './request.ts';
import { errorText } from '../../lib/error-text.ts';

export interface Shell {
  id: string;
  owner: string;
  codepage: Codepage;
  inputStreams: string[];
  outputStreams: string[];
  workingDirectory: string | undefined;
  environment: Map<string, string>;
  commands: Map<string, Command>;
  /** Most recent command, for Receive/Send without a CommandId. */
  lastCommandId: string | undefined;
}

interface PendingReceive {
  streams: string[];
  maxEnvelopeSize: number;
  timer: NodeJS.Timeout;
  resolve(batch: ReceiveBatch): void;
  reject(fault: WsmanFault): void;
}

interface Command {
  id: string;
  shell: Shell;
  output: OutputQueue;
  stdin: Buffer[];
  stdinClosed: boolean;
  state: 'waiting-stdin' | 'running' | 'done';
  exitCode: number;
  /** A stdin-reading process, started when stdin closes. */
  deferred: LabProcess | undefined;
  /**
   * Started with WINRS_CONSOLEMODE_STDIN=TRUE: powershell.exe reads a console, which may never report
   * the end of input. The lab takes the pessimistic reading: the process never sees EOF.
   */
  consoleStdin: boolean;
  /** Aborted when the command is signalled or its shell deleted: a running process is killed, as WinRS does. */
  killed: AbortController;
  pending: PendingReceive | undefined;
  gone: boolean;
}

export interface ReceiveHandle {
  result: Promise<ReceiveBatch>;
  /** Drops the long-poll without answering (the connection is gone); output stays queued. */
  cancel(): void;
}

/** Windows' default MaxTimeoutms when a request carries no OperationTimeout. */
const DEFAULT_OPERATION_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_ENVELOPE = 153_600;

export class ShellRegistry {
  private readonly shells = new Map<string, Shell>();

  constructor(
    private readonly host: WsmanHost,
    private readonly maxShellsPerUser: number,
  ) {}

  get size(): number {
    return this.shells.size;
  }

  create(user: string, body: CreateBody, options: Map<string, string>): Shell {
    if (this.host.allowsRemoteShell?.() === false) throw faults.remoteShellDisabled();
    const owned = [...this.shells.values()].filter((s) => s.owner.toLowerCase() === user.toLowerCase()).length;
    if (owned >= this.maxShellsPerUser) throw faults.quotaLimit(this.maxShellsPerUser);
    const shell: Shell = {
      id: newUuid(),
      owner: user,
      codepage: shellCodepage(options.get('WINRS_CODEPAGE')),
      inputStreams: body.inputStreams,
      outputStreams: body.outputStreams,
      workingDirectory: body.workingDirectory,
      environment: body.environment,
      commands: new Map(),
      lastCommandId: undefined,
    };
    this.shells.set(shell.id.toUpperCase(), shell);
    return shell;
  }

  get(shellId: string | undefined): Shell {
    const shell = shellId === undefined ? undefined : this.shells.get(shellId.toUpperCase());
    if (!shell) throw faults.shellNotFound(shellId ?? '');
    return shell;
  }

  delete(shellId: string | undefined): void {
    const shell = this.get(shellId);
    this.shells.delete(shell.id.toUpperCase());
    for (const cmd of shell.commands.values()) this.discard(cmd);
  }

  /** Starts a command. A process that does not read stdin starts now; one that does starts at Send End="true". */
  command(shell: Shell, body: CommandBody, options: Map<string, string>): string {
    const id = body.commandId?.trim() || newUuid();
    const cmd: Command = {
      id,
      shell,
      output: new OutputQueue(),
      stdin: [],
      stdinClosed: false,
      state: 'running',
      exitCode: 0,
      deferred: undefined,
      consoleStdin: options.get('WINRS_CONSOLEMODE_STDIN')?.toUpperCase() === 'TRUE',
      killed: new AbortController(),
      pending: undefined,
      gone: false,
    };
    shell.commands.set(id.toUpperCase(), cmd);
    shell.lastCommandId = id;
    const plan = planCommand(joinCommandLine(body.command, body.args), {
      computerName: this.host.computerName,
      username: shell.owner,
      skipCmdShell: options.get('WINRS_SKIP_CMD_SHELL')?.toUpperCase() === 'TRUE',
    });
    if (plan.kind === 'result') {
      cmd.output.push('stdout', encodeText(plan.stdout, shell.codepage));
      cmd.output.push('stderr', encodeText(plan.stderr, shell.codepage));
      this.finish(cmd, plan.exitCode);
      return id;
    }
    let proc: LabProcess;
    try {
      proc = this.host.powershell(plan.script);
    } catch (e) {
      cmd.output.push('stderr', encodeText(`${errorText(e)}\r\n`, shell.codepage));
      this.finish(cmd, 1);
      return id;
    }
    if (proc.readsStdin) {
      cmd.state = 'waiting-stdin';
      cmd.deferred = proc;
    } else {
      this.launch(cmd, proc, Buffer.alloc(0));
    }
    return id;
  }

  send(shell: Shell, body: SendBody): void {
    for (const chunk of body.chunks) {
      const cmd = this.findCommand(shell, chunk.commandId);
      if (cmd.stdinClosed) continue;
      cmd.stdin.push(chunk.data);
      if (!chunk.end) continue;
      cmd.stdinClosed = true;
      if (cmd.state === 'waiting-stdin' && cmd.deferred && !cmd.consoleStdin) {
        const proc = cmd.deferred;
        cmd.deferred = undefined;
        this.launch(cmd, proc, Buffer.concat(cmd.stdin));
      }
    }
  }

  receive(shell: Shell, body: ReceiveBody, operationTimeoutMs: number | undefined, maxEnvelopeSize: number | undefined): ReceiveHandle {
    const cmd = this.findCommand(shell, body.commandId);
    const streams = body.streams.filter((s) => shell.outputStreams.includes(s));
    const maxEnv = maxEnvelopeSize ?? DEFAULT_MAX_ENVELOPE;
    if (cmd.output.hasOutput(streams) || cmd.state === 'done') {
      return { result: Promise.resolve(this.batch(cmd, streams, maxEnv)), cancel: () => {} };
    }
    // Only one Receive per command may wait: an older one is answered with TimedOut so its client retries.
    cmd.pending?.reject(faults.timedOut());
    let pending!: PendingReceive;
    const result = new Promise<ReceiveBatch>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (cmd.pending === pending) cmd.pending = undefined;
        reject(faults.timedOut());
      }, operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS);
      pending = {
        streams,
        maxEnvelopeSize: maxEnv,
        timer,
        resolve: (b) => {
          clearTimeout(timer);
          resolve(b);
        },
        reject: (f) => {
          clearTimeout(timer);
          reject(f);
        },
      };
    });
    cmd.pending = pending;
    const cancel = (): void => {
      clearTimeout(pending.timer);
      if (cmd.pending === pending) cmd.pending = undefined;
    };
    return { result, cancel };
  }

  signal(shell: Shell, body: SignalBody): void {
    if (!['terminate', 'ctrl_c', 'ctrl_break'].includes(body.code)) {
      throw faults.schemaValidation(`unknown signal code ${body.code}`);
    }
    // Signalling a command that already went away is harmless (cleanup after Done, retries).
    const cmd = body.commandId === undefined ? undefined : shell.commands.get(body.commandId.toUpperCase());
    if (!cmd) return;
    shell.commands.delete(cmd.id.toUpperCase());
    this.discard(cmd);
  }

  /** Aborts every pending Receive and forgets all shells (server shutdown). */
  closeAll(): void {
    for (const shell of this.shells.values()) for (const cmd of shell.commands.values()) this.discard(cmd);
    this.shells.clear();
  }

  private findCommand(shell: Shell, commandId: string | undefined): Command {
    const id = commandId ?? shell.lastCommandId;
    const cmd = id === undefined ? undefined : shell.commands.get(id.toUpperCase());
    if (!cmd) throw faults.invalidCommandId(id ?? '');
    return cmd;
  }

  private launch(cmd: Command, proc: LabProcess, stdin: Buffer): void {
    cmd.state = 'running';
    let run: Promise<{ stdout: Buffer; stderr: Buffer; exitCode: number }>;
    // A process that streams (the real engine under pwsh) hands output over as it comes, as a host would.
    const stream = (name: 'stdout' | 'stderr', data: Buffer): void => {
      if (cmd.gone || data.length === 0) return;
      cmd.output.push(name, transcodeUtf8(data, cmd.shell.codepage));
      const p = cmd.pending;
      if (p && cmd.output.hasOutput(p.streams)) {
        cmd.pending = undefined;
        p.resolve(this.batch(cmd, p.streams, p.maxEnvelopeSize));
      }
    };
    try {
      run = proc.run(stdin, stream, cmd.killed.signal);
    } catch (e) {
      run = Promise.reject(e);
    }
    run.then(
      (r) => {
        if (cmd.gone) return;
        cmd.output.push('stdout', transcodeUtf8(r.stdout, cmd.shell.codepage));
        cmd.output.push('stderr', transcodeUtf8(r.stderr, cmd.shell.codepage));
        this.finish(cmd, r.exitCode);
      },
      (e: unknown) => {
        if (cmd.gone) return;
        cmd.output.push('stderr', encodeText(`${errorText(e)}\r\n`, cmd.shell.codepage));
        this.finish(cmd, 1);
      },
    );
  }

  private finish(cmd: Command, exitCode: number): void {
    cmd.exitCode = exitCode;
    cmd.state = 'done';
    const p = cmd.pending;
    if (p) {
      cmd.pending = undefined;
      p.resolve(this.batch(cmd, p.streams, p.maxEnvelopeSize));
    }
  }

  private batch(cmd: Command, streams: string[], maxEnvelopeSize: number): ReceiveBatch {
    const chunks = cmd.output.take(streams, maxEnvelopeSize);
    const finished = cmd.state === 'done' && !cmd.output.hasOutput(streams);
    return finished
      ? { commandId: cmd.id, chunks, done: { streams, exitCode: cmd.exitCode } }
      : { commandId: cmd.id, chunks };
  }

  private discard(cmd: Command): void {
    cmd.gone = true;
    cmd.killed.abort();
    cmd.output.clear();
    const p = cmd.pending;
    cmd.pending = undefined;
    p?.reject(faults.aborted());
  }
}


