// Pending command output and how it is cut into rsp:Stream elements. Like Windows, big output
// arrives over several ReceiveResponses: each Stream element carries at most 8 KiB of raw bytes,
// each response at most a few elements, and every envelope stays under the client's MaxEnvelopeSize.
import type { StreamChunk } from './envelopes.ts';

export const MAX_RAW_PER_STREAM = 8 * 1024;
export const MAX_STREAMS_PER_RESPONSE = 4;
/** Room kept for the envelope, header, End streams and CommandState (with CommandId attributes). */
const ENVELOPE_RESERVE = 2048;
/** Bytes of one Stream element around its base64 text (Name, CommandId, tags). */
const ELEMENT_OVERHEAD = 160;

const b64Len = (n: number): number => Math.ceil(n / 3) * 4;

export class OutputQueue {
  private readonly items: StreamChunk[] = [];

  push(name: string, data: Buffer): void {
    if (data.length > 0) this.items.push({ name, data });
  }

  /** True if any output for these streams is waiting. */
  hasOutput(streams: readonly string[]): boolean {
    return this.items.some((i) => streams.includes(i.name));
  }

  /** Output of streams nobody asked for is dropped, as Windows drops streams not in DesiredStream. */
  dropExcept(streams: readonly string[]): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      if (!streams.includes((this.items[i] as StreamChunk).name)) this.items.splice(i, 1);
    }
  }

  /** Removes and returns the next batch of chunks that fits one response. */
  take(streams: readonly string[], maxEnvelopeSize: number): StreamChunk[] {
    this.dropExcept(streams);
    const budget = Math.max(maxEnvelopeSize - ENVELOPE_RESERVE, 512);
    const rawMax = Math.max(48, Math.min(MAX_RAW_PER_STREAM, Math.floor((budget - ELEMENT_OVERHEAD) / 4) * 3));
    const out: StreamChunk[] = [];
    let used = 0;
    while (out.length < MAX_STREAMS_PER_RESPONSE && this.items.length > 0) {
      const head = this.items[0] as StreamChunk;
      const n = Math.min(head.data.length, rawMax);
      const cost = ELEMENT_OVERHEAD + b64Len(n);
      if (out.length > 0 && used + cost > budget) break;
      used += cost;
      out.push({ name: head.name, data: head.data.subarray(0, n) });
      if (n === head.data.length) this.items.shift();
      else head.data = head.data.subarray(n);
    }
    return out;
  }

  clear(): void {
    this.items.length = 0;
  }
}
