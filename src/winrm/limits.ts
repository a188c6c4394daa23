// What a host may send us. A hostile or broken host must not grow a worker's memory without limit
// (an endless stdout once grew RSS by 1.1 GB in 4 s), so every byte is counted as it arrives and
// reading stops at the cap. The defaults are generous: a Receive answer is at most the 150 KiB
// MaxEnvelopeSize we ask for, and the read plan's whole output is tens of KB.
const KIB = 1024;
const MIB = 1024 * KIB;

export const LIMIT_DEFAULTS = {
  /**
   * One HTTP response body, as it arrives (sealed or not). Windows keeps every answer within the
   * 150 KiB MaxEnvelopeSize we ask for; more is a protocol violation, and parsing the XML costs
   * about 35 times its size in heap, so this stays a few envelopes, not megabytes.
   */
  maxResponseBytes: 512 * KIB,
  /** One command's stdout and stderr together. */
  maxOutputBytes: 8 * MIB,
} as const;

/** The smallest caps we accept: below these a real host's ordinary answers would be cut. */
export const LIMIT_MINIMUMS = {
  /** A full envelope (MAX_ENVELOPE_SIZE, 150 KiB), sealed (multipart framing and signature), with room to spare. */
  maxResponseBytes: 256 * KIB,
  maxOutputBytes: 64 * KIB,
} as const;

/** 8388608 -> "8 MiB", 65536 -> "64 KiB", 1000 -> "1000 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= MIB && bytes % (MIB / 4) === 0) return `${bytes / MIB} MiB`;
  if (bytes >= KIB && bytes % KIB === 0) return `${bytes / KIB} KiB`;
  return `${bytes} bytes`;
}

/** What a host sent past one of these caps; the same words in the WinRM error, the host layer's and the diagnosis. */
export interface HostSentTooMuch {
  /** The cap's name in the host's configuration, e.g. 'winrm.maxOutputBytes'. */
  readonly limit: string;
  readonly limitBytes: number;
  /** What the cap is about, e.g. 'of output for one command'. */
  readonly what: string;
}

/** "work-pc sent more than 8 MiB of output for one command; stopped reading (cap winrm.maxOutputBytes)". */
export function tooMuchMessage(host: string, cap: HostSentTooMuch): string {
  return `${host} sent more than ${formatBytes(cap.limitBytes)} ${cap.what}; stopped reading (cap ${cap.limit})`;
}
