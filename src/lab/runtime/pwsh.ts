// Runs the real bootstrap and engine under PowerShell 7 (pwsh) the way WinRS runs them on a host:
// `pwsh -NoProfile -NonInteractive -EncodedCommand <bootstrap>` with the payload on stdin, the
// Windows primitives swapped for the lab's (primitives.ts) so the engine reads and writes a host model.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { BOOTSTRAP_SCRIPT } from '../../host/bootstrap.ts';
import { assembleRuntime } from '../../host/runtime.ts';
import type { ProcessResult } from '../types.ts';
import { LAB_PRIMITIVES_PS1 } from './primitives.ts';

/** The runtime hosts get, with the lab's primitives: the engine text is the shipped one. */
export const LAB_RUNTIME_TEXT = assembleRuntime(LAB_PRIMITIVES_PS1);

export const PWSH_INSTALL_HINT =
  'pwsh (PowerShell 7) is needed to run the real runtime: `dotnet tool install --global PowerShell --version 7.6.10` ' +
  '(then ~/.dotnet/tools is searched), or Microsoft\'s Debian package `powershell`; or set PWSH to its path.';

/** PWSH, else pwsh on PATH, else the dotnet global tool. */
export function findPwsh(): string | undefined {
  if (process.env['PWSH']) return process.env['PWSH'];
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), join(homedir(), '.dotnet', 'tools')];
  return dirs.map((d) => join(d, 'pwsh')).find((p) => existsSync(p));
}

/** A bootstrap run: the lab primitive server and this host's token, and how to run pwsh. */
export interface PwshRun extends Omit<PwshProcess, 'stdin' | 'env'> {
  primitivesUrl: string;
  token: string;
}

/** pwsh's encoded command: UTF-16LE base64, as for powershell.exe. */
export const encodedBootstrap = (): string => Buffer.from(BOOTSTRAP_SCRIPT, 'utf16le').toString('base64');

export interface PwshProcess {
  stdin?: Buffer;
  /** Deliver stdin in pieces of this many bytes, each after the previous was flushed and a macrotask passed (a slow link). */
  stdinPieceBytes?: number;
  env?: Record<string, string>;
  /** Kill pwsh after this long (default 120 s). */
  timeoutMs?: number;
  /** Output as it comes (the full output is still returned). */
  onOutput?: (name: 'stdout' | 'stderr', data: Buffer) => void;
  /** Kills pwsh. */
  signal?: AbortSignal;
}

/** pwsh with these arguments; resolves with what it printed and its exit code. */
export function runPwshProcess(args: string[], p: PwshProcess = {}): Promise<ProcessResult> {
  const pwsh = findPwsh();
  if (!pwsh) return Promise.reject(new Error(PWSH_INSTALL_HINT));
  return new Promise((resolve, reject) => {
    const child = spawn(pwsh, args, {
      env: { ...process.env, POWERSHELL_TELEMETRY_OPTOUT: '1', POWERSHELL_UPDATECHECK: 'Off', ...p.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => {
      out.push(c);
      p.onOutput?.('stdout', c);
    });
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      p.onOutput?.('stderr', c);
    });
    const kill = (): boolean => child.kill('SIGKILL');
    const timer = setTimeout(kill, p.timeoutMs ?? 120_000);
    p.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      p.signal?.removeEventListener('abort', kill);
      resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: code ?? (signal ? 137 : 1) });
    });
    child.stdin.on('error', () => {}); // pwsh may exit before reading everything (a refused header)
    void feed(child.stdin, p.stdin ?? Buffer.alloc(0), p.stdinPieceBytes);
  });
}

/** Runs the bootstrap under pwsh with this stdin, the lab primitives reaching `run`'s server. */
export function runBootstrapUnderPwsh(stdin: Buffer, run: PwshRun): Promise<ProcessResult> {
  const { primitivesUrl, token, ...rest } = run;
  return runPwshProcess(['-NoProfile', '-NonInteractive', '-EncodedCommand', encodedBootstrap()], {
    ...rest,
    stdin,
    env: { RDPMEDIC_LAB_PRIMITIVES: primitivesUrl, RDPMEDIC_LAB_TOKEN: token },
  });
}

async function feed(sink: NodeJS.WritableStream, data: Buffer, piece: number | undefined): Promise<void> {
  if (!piece) {
    sink.end(data);
    return;
  }
  for (let i = 0; i < data.length; i += piece) {
    await new Promise<void>((resolve) => sink.write(data.subarray(i, i + piece), () => setImmediate(resolve)));
  }
  sink.end();
}
