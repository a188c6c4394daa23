// The optional native `kerberos` package (mongodb-js: MIT GSSAPI through N-API). It is an optional
// dependency: installs without libkrb5-dev or a compiler simply leave it out, and only a host configured
// for Kerberos then fails, with the exact install step.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The part of the package's API we use. */
export interface GssClient {
  contextComplete: boolean;
  step(challenge: string): Promise<string>;
}
export interface GssServer {
  username: string;
  response: string;
  contextComplete: boolean;
  step(challenge: string): Promise<string>;
}
export interface Gssapi {
  initializeClient(service: string, options?: { mechOID?: number; gssFlag?: number }): Promise<GssClient>;
  initializeServer(service: string): Promise<GssServer>;
  GSS_MECH_OID_SPNEGO: number;
  GSS_C_MUTUAL_FLAG: number;
  GSS_C_SEQUENCE_FLAG: number;
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The exact way to get the module, for messages. */
export const KERBEROS_INSTALL_STEP =
  `sudo apt-get install -y libkrb5-dev krb5-user build-essential python3, then \`npm ci\` in ${ROOT} (kerberos is an optional dependency: it builds once the headers are there)`;

let cached: Gssapi | undefined;

/** Loads the package, or throws an Error whose message says what to install. `name` is a test seam. */
export function loadGssapi(name = 'kerberos'): Gssapi {
  if (cached && name === 'kerberos') return cached;
  let mod: Gssapi;
  try {
    mod = createRequire(import.meta.url)(name) as Gssapi;
  } catch (error) {
    const why = error instanceof Error && 'code' in error && error.code === 'MODULE_NOT_FOUND'
      ? 'is not installed (it is optional and needs MIT Kerberos headers to build)'
      : `did not load (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
    throw new Error(`Kerberos needs the optional npm package "${name}", which ${why}. Install it with: ${KERBEROS_INSTALL_STEP}`);
  }
  if (name === 'kerberos') cached = mod;
  return mod;
}
