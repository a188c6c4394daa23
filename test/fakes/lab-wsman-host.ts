// A tiny WsmanHost for the WS-Man server tests. powershell(script) understands a few test scripts:
//   "BIG:<n>"   -> n bytes of numbered ASCII lines on stdout
//   "STDIN"     -> reads stdin to its end, echoes it as "got:<stdin>"
//   "ERR:<n>"   -> "boom" on stderr, exit code n
//   "UNI"       -> non-ASCII text (for code page tests)
//   "WAIT"      -> never finishes until release() is called
//   anything else -> "PS:<script>\r\n", exit 0
import type { FaultInjection, LabProcess, ProcessResult, WsmanHost } from '../../src/lab/types.ts';

export interface FakeHost extends WsmanHost {
  faults: FaultInjection;
  scripts: string[];
  /** Finishes every "WAIT" process started so far with this output. */
  release(stdout?: string): void;
}

export function bigOutput(n: number): Buffer {
  let s = '';
  for (let i = 0; s.length < n; i++) s += `line ${String(i).padStart(6, '0')} of the big output\r\n`;
  return Buffer.from(s.slice(0, n), 'utf8');
}

export function fakeHost(computerName = 'SIMHOST', users: Record<string, string> = { administrator: 'Passw0rd!' }): FakeHost {
  const waiting: ((r: ProcessResult) => void)[] = [];
  const done = (stdout: string | Buffer, stderr = '', exitCode = 0): ProcessResult => ({
    stdout: Buffer.isBuffer(stdout) ? stdout : Buffer.from(stdout, 'utf8'),
    stderr: Buffer.from(stderr, 'utf8'),
    exitCode,
  });
  const host: FakeHost = {
    computerName,
    faults: { latencyMs: 0, jitterMs: 0, hang: false, reset: false, http500: false },
    scripts: [],
    passwordFor: (u) => users[u.toLowerCase()],
    release(stdout = 'released\r\n') {
      for (const w of waiting.splice(0)) w(done(stdout));
    },
    powershell(script: string): LabProcess {
      host.scripts.push(script);
      if (script === 'STDIN') {
        return { readsStdin: true, run: (stdin) => Promise.resolve(done(`got:${stdin.toString('utf8')}`)) };
      }
      if (script === 'WAIT') {
        return { readsStdin: false, run: () => new Promise<ProcessResult>((resolve) => waiting.push(resolve)) };
      }
      const big = /^BIG:(\d+)$/.exec(script);
      if (big) return { readsStdin: false, run: () => Promise.resolve(done(bigOutput(Number(big[1])))) };
      const err = /^ERR:(\d+)$/.exec(script);
      if (err) return { readsStdin: false, run: () => Promise.resolve(done('', 'boom\r\n', Number(err[1]))) };
      if (script === 'UNI') return { readsStdin: false, run: () => Promise.resolve(done('héllo ✓ ½\r\n')) };
      return { readsStdin: false, run: () => Promise.resolve(done(`PS:${script}\r\n`)) };
    },
  };
  return host;
}

/** base64(UTF-16LE(script)), as -EncodedCommand wants it. */
export function encodePs(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}
