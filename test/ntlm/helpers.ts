// Shared test fixtures: the MS-NLMP 4.2.4 CHALLENGE_MESSAGE and a security-buffer reader.
import { Flags } from '../../src/ntlm/tokens.ts';

export const SPEC_SERVER_CHALLENGE = Buffer.from('0123456789abcdef', 'hex');

/** Flags of the 4.2.4 example that matter here: ESS, KEY_EXCH, 128/56, SIGN/SEAL, UNICODE, TARGET_INFO. */
export const SPEC_FLAGS =
  (Flags.UNICODE | Flags.SIGN | Flags.SEAL | Flags.NTLM | Flags.ALWAYS_SIGN | Flags.EXTENDED_SESSIONSECURITY |
    Flags.TARGET_INFO | Flags.VERSION | Flags.NEGOTIATE_128 | Flags.KEY_EXCH | Flags.NEGOTIATE_56) >>> 0;

/** 4.2.4 TargetInfo: MsvAvNbDomainName "Domain", MsvAvNbComputerName "Server", MsvAvEOL. */
export const SPEC_TARGET_INFO = Buffer.from(
  '02000c0044006f006d00610069006e00' + '01000c00530065007200760065007200' + '00000000',
  'hex',
);

/** SPEC_TARGET_INFO with an MsvAvTimestamp, as every Windows since Server 2008 sends it. */
export const TIMESTAMPED_TARGET_INFO = Buffer.concat([SPEC_TARGET_INFO.subarray(0, -4), Buffer.from('07000800', 'hex'), Buffer.alloc(8, 0x01), Buffer.alloc(4)]);

/** Builds a CHALLENGE_MESSAGE (TargetName "Server"). */
export function challengeMessage(opts: { flags?: number; challenge?: Buffer; targetInfo?: Buffer } = {}): Buffer {
  const targetName = Buffer.from('Server', 'utf16le');
  const targetInfo = opts.targetInfo ?? SPEC_TARGET_INFO;
  const header = Buffer.alloc(56);
  header.write('NTLMSSP\0', 0, 'latin1');
  header.writeUInt32LE(2, 8);
  header.writeUInt16LE(targetName.length, 12);
  header.writeUInt16LE(targetName.length, 14);
  header.writeUInt32LE(56, 16);
  header.writeUInt32LE(opts.flags ?? SPEC_FLAGS, 20);
  (opts.challenge ?? SPEC_SERVER_CHALLENGE).copy(header, 24);
  header.writeUInt16LE(targetInfo.length, 40);
  header.writeUInt16LE(targetInfo.length, 42);
  header.writeUInt32LE(56 + targetName.length, 44);
  Buffer.from([6, 0, 0x70, 0x17, 0, 0, 0, 15]).copy(header, 48);
  return Buffer.concat([header, targetName, targetInfo]);
}

export const specChallenge = (): Buffer => challengeMessage();

/** The payload of the security buffer at `at`. */
export function readField(msg: Buffer, at: number): Buffer {
  const len = msg.readUInt16LE(at);
  const off = msg.readUInt32LE(at + 4);
  return msg.subarray(off, off + len);
}
