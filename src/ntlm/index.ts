// NTLMv2 (MS-NLMP) for both ends of WinRM: the client side for src/winrm, the server side for the lab,
// plus session security (sign/seal) and MS-WSMV 2.2.9.1.1 message encryption framing.
// This file is the public surface; the implementation lives in the sibling modules.
export type { NtlmCredentials, NtlmSession, PasswordLookup, AuthenticatedUser } from './types.ts';
export { NtlmClient } from './client.ts';
export { NtlmServerContext } from './server.ts';
export { ENCRYPTED_CONTENT_TYPE, wrapEncrypted, unwrapEncrypted, isEncryptedContentType } from './wsmv-encryption.ts';
export { parseAuthorizationHeader, NtlmError, NtlmIntegrityError, NtlmDowngradeError } from './tokens.ts';
export { tlsServerEndPoint, channelBindingsHash } from './channel-bindings.ts';
