// Reads exactly one TPKT frame (the server's answer to the Connection Request) off a raw socket,
// then leaves the socket paused with no data listener so it can be handed to TLS intact.
import type { Socket } from 'node:net';
import { readTpktFrame } from './x224.ts';
import { runPhase } from './phase.ts';

export type FrameRead =
  | { kind: 'frame'; frame: Buffer }
  | { kind: 'not-tpkt'; firstBytes: string }
  | { kind: 'bad-length'; length: number }
  | { kind: 'closed'; received: number }
  | { kind: 'error'; code: string; message: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

export function readOneFrame(socket: Socket, timeoutMs: number, signal?: AbortSignal): Promise<FrameRead> {
  let buffered = Buffer.alloc(0);
  return runPhase<FrameRead>(
    { timeoutMs, signal, timeout: () => ({ kind: 'timeout' }), aborted: () => ({ kind: 'aborted' }) },
    (done) => {
      const onData = (chunk: Buffer): void => {
        buffered = Buffer.concat([buffered, chunk]);
        const r = readTpktFrame(buffered);
        if (r.kind === 'incomplete') return;
        if (r.kind === 'frame') {
          // Stop reading before anything else arrives; give back bytes past the frame (none expected:
          // the client speaks first in TLS) so the TLS layer sees the stream exactly as sent.
          socket.pause();
          if (r.rest.length > 0) socket.unshift(r.rest);
          done({ kind: 'frame', frame: r.frame });
        } else if (r.kind === 'not-tpkt') done(r);
        else done({ kind: 'bad-length', length: r.length });
      };
      const onEnd = (): void => done({ kind: 'closed', received: buffered.length });
      const onClose = (): void => done({ kind: 'closed', received: buffered.length });
      const onError = (err: NodeJS.ErrnoException): void => done({ kind: 'error', code: err.code ?? 'ERROR', message: err.message });
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onClose);
      socket.once('error', onError);
      return () => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onClose);
        socket.off('error', onError);
        socket.pause();
      };
    },
  );
}
