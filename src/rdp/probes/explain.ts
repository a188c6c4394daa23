// Plain-words meaning of RDP_NEG_FAILURE codes (MS-RDPBCGR 2.2.1.2.2), for chat replies and the CLI.
const MEANINGS: ReadonlyMap<number, string> = new Map([
  [0x1, 'the server requires TLS or CredSSP (NLA), and the client offered neither'],
  [0x2, 'the server allows only Standard RDP Security (SecurityLayer 0), not TLS'],
  [0x3, 'the server has no usable certificate for TLS'],
  [0x4, 'the requested protocols are inconsistent with what the server already uses'],
  [0x5, 'the server requires Network Level Authentication (CredSSP/NLA)'],
  [0x6, 'the server requires TLS with user authentication'],
]);

export function failureMeaning(code: number): string {
  return MEANINGS.get(code) ?? 'an unknown failure code (not in MS-RDPBCGR)';
}
