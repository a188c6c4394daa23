export interface NtlmCredentials {
  username: string;
  password: string;
  /** NetBIOS or DNS domain; '' or '.' for a local account. */
  domain: string;
  workstation?: string;
}

/** Session security after authentication. Stateful: sequence numbers and RC4 states advance per message. */
export interface NtlmSession {
  /** Seal an outgoing message: the 16-byte signature and the sealed bytes (same length as the input). */
  seal(message: Buffer): { signature: Buffer; sealed: Buffer };
  /** Unseal an incoming message and verify its signature; throws NtlmIntegrityError on mismatch. */
  unseal(sealed: Buffer, signature: Buffer): Buffer;
}

/** Server side: the password of a local account, or undefined if unknown. */
export type PasswordLookup = (username: string, domain: string) => string | undefined;

export interface AuthenticatedUser {
  username: string;
  domain: string;
  session: NtlmSession;
  /** MsvAvChannelBindings the client sent (16 bytes), undefined when absent or all zeros. */
  channelBindings: Buffer | undefined;
}
