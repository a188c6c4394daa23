// Output collection: stdout and stderr kept apart, each decoded with its own streaming UTF-8 decoder,
// so a multi-byte character split across two Receive chunks comes out whole. Both together may not
// pass maxOutputBytes: a host that streams forever ends the command instead of the worker.
import { StringDecoder } from 'node:string_decoder';
import { WinrmOutputLimitError } from './errors.ts';
import type { CommandResult } from './types.ts';

class StreamSink {
  private readonly decoder = new StringDecoder('utf8');
  private readonly chunks: Buffer[] = [];
  private text = '';

  push(data: Buffer): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.text += this.decoder.write(data);
  }

  finish(): { text: string; bytes: Buffer } {
    return { text: this.text + this.decoder.end(), bytes: Buffer.concat(this.chunks) };
  }
}

export class OutputCollector {
  private readonly stdout = new StreamSink();
  private readonly stderr = new StreamSink();
  private bytes = 0;

  constructor(private readonly host: string, private readonly maxBytes: number) {}

  /** Keeps `data`, or throws WinrmOutputLimitError (keeping nothing of it) when it would pass the cap. */
  push(stream: string, data: Buffer): void {
    this.bytes += data.length;
    if (this.bytes > this.maxBytes) {
      throw new WinrmOutputLimitError(this.host, 'receive', { limit: 'winrm.maxOutputBytes', limitBytes: this.maxBytes, what: 'of output for one command' });
    }
    // Only the two streams we asked for exist; anything else would be a server bug, and goes to stderr
    // rather than silently vanishing.
    (stream === 'stdout' ? this.stdout : this.stderr).push(data);
  }

  finish(exitCode: number): CommandResult {
    const out = this.stdout.finish();
    const err = this.stderr.finish();
    return { stdout: out.text, stderr: err.text, exitCode, stdoutBytes: out.bytes, stderrBytes: err.bytes };
  }
}
