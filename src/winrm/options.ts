// Client options, validated and resolved before anything touches the network. The auth method is
// whatever the host's configuration says: a DOMAIN\user or user@domain name only supplies the domain.
import { WinrmConfigError } from './errors.ts';
import { LIMIT_DEFAULTS, LIMIT_MINIMUMS, formatBytes } from './limits.ts';
import { loadCa, parsePin } from './tls.ts';
import type { TlsSettings } from './tls.ts';
import type { AuthMethod, EncryptionMode, WinrmLogger } from './types.ts';

export interface WinrmClientOptions {
  /** http://host:5985/wsman or https://host:5986/wsman (path defaults to /wsman). */
  url: string;
  auth: AuthMethod;
  username: string;
  password: string;
  /** NTLM domain; otherwise taken from DOMAIN\user or user@domain, else '' (local account). */
  domain?: string;
  /** 'kerberos' and 'negotiate' (HTTPS only). The password may be empty when a keytab is given. */
  kerberos?: KerberosOptions;
  /** PEM contents, or a path to a PEM file, trusted for this host only. */
  ca?: string | Buffer;
  /** SHA-256 of the leaf certificate's DER (hex, colons allowed, or base64). */
  pinSha256?: string;
  /** Skip certificate verification (a pin, if set, is still enforced). Logs a warning. */
  insecure?: boolean;
  /** MS-WSMV message encryption: 'auto' = NTLM over http only. */
  encryption?: EncryptionMode;
  /** Allow NTLM without encryption over http (only for endpoints with AllowUnencrypted=true). */
  allowUnencrypted?: boolean;
  timeouts?: { connectMs?: number; requestMs?: number; commandMs?: number };
  /** WS-Man OperationTimeout, the Receive long-poll (default 20). */
  operationTimeoutSec?: number;
  /** The largest HTTP response body read from the host (default 512 KiB, at least 256 KiB). */
  maxResponseBytes?: number;
  /** The most stdout and stderr one command may send, together (default 8 MiB, at least 64 KiB). */
  maxOutputBytes?: number;
  logger?: WinrmLogger;
}

export interface KerberosOptions {
  /** Service principal; default HTTP/<host name of the URL>. */
  spn?: string;
  /** A keytab holding the user's key, instead of the password. */
  keytab?: string;
  /** Get a new TGT when the current one expires within this (default 10 minutes). */
  renewBeforeMs?: number;
  /** Bound on each KDC exchange (kinit), default the connect timeout x 2. */
  kdcTimeoutMs?: number;
}

export interface KerberosSettings {
  /** user@REALM, or a bare name for krb5.conf's default realm. */
  principal: string;
  spn: string;
  keytab: string | undefined;
  renewBeforeMs: number;
  kdcTimeoutMs: number;
}

export interface ClientSettings {
  url: URL;
  /** host:port for messages. */
  host: string;
  auth: AuthMethod;
  username: string;
  domain: string;
  encrypt: boolean;
  /** For 'kerberos' and 'negotiate'. */
  kerberos: KerberosSettings | undefined;
  tls: TlsSettings;
  connectMs: number;
  requestMs: number;
  commandMs: number;
  operationTimeoutSec: number;
  maxResponseBytes: number;
  maxOutputBytes: number;
  /** Warnings to log once the client exists (insecure TLS, unencrypted NTLM, ...). */
  warnings: Array<{ obj: object; msg: string }>;
}

export const DEFAULTS = { connectMs: 5_000, requestMs: 20_000, commandMs: 120_000, operationTimeoutSec: 20 } as const;

/** Splits DOMAIN\user and user@domain. Only the domain is derived; the auth method never is. */
export function splitUser(username: string, domain: string | undefined): { username: string; domain: string } {
  const backslash = username.indexOf('\\');
  if (backslash > 0) return { domain: domain ?? username.slice(0, backslash), username: username.slice(backslash + 1) };
  const at = username.lastIndexOf('@');
  if (at > 0) return { username: username.slice(0, at), domain: domain ?? username.slice(at + 1) };
  return { username, domain: domain ?? '' };
}

/** user@REALM as given; DOMAIN\user -> user@DOMAIN (upper-cased: realms are); a bare name keeps krb5.conf's default realm. */
export function kerberosPrincipal(username: string, domain: string | undefined): string {
  if (username.includes('@')) return username;
  const { username: user, domain: d } = splitUser(username, domain);
  return d ? `${user}@${d.toUpperCase()}` : user;
}

function positive(value: number | undefined, fallback: number, name: string, host: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0) throw new WinrmConfigError(`WinRM client for ${host}: ${name} must be a positive number.`, host, 'config');
  return v;
}

function byteCap(opts: WinrmClientOptions, name: keyof typeof LIMIT_DEFAULTS, host: string): number {
  const v = opts[name] ?? LIMIT_DEFAULTS[name];
  const min = LIMIT_MINIMUMS[name];
  if (!Number.isSafeInteger(v) || v < min) {
    throw new WinrmConfigError(`WinRM client for ${host}: ${name} must be a whole number of bytes, at least ${min} (${formatBytes(min)}).`, host, 'config');
  }
  return v;
}

export function resolveOptions(opts: WinrmClientOptions): ClientSettings {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new WinrmConfigError(`WinRM client: '${opts.url}' is not a URL (expected http://host:5985/wsman or https://host:5986/wsman).`, opts.url, 'config');
  }
  const isHttps = url.protocol === 'https:';
  const host = `${url.hostname}:${url.port || (isHttps ? 443 : 80)}`;
  const fail = (msg: string): never => {
    throw new WinrmConfigError(`WinRM client for ${host}: ${msg}`, host, 'config');
  };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`unsupported scheme ${url.protocol}; use http or https.`);
  if (url.username || url.password) fail('put credentials in username/password, not in the URL.');
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/wsman';
  if (!['basic', 'ntlm', 'kerberos', 'negotiate'].includes(opts.auth)) {
    fail(`auth must be 'basic', 'ntlm', 'kerberos' or 'negotiate' (got ${String(opts.auth)}).`);
  }
  const usesKerberos = opts.auth === 'kerberos' || opts.auth === 'negotiate';
  if (usesKerberos && !isHttps) {
    fail(`auth '${opts.auth}' needs https://: Kerberos over http:// would need WinRM message encryption with GSS IOV wrap, which rdp-medic does not implement (docs/decisions/0011-kerberos.md). Use the host's HTTPS listener (port 5986), or auth 'ntlm'.`);
  }
  if (usesKerberos && !opts.password && !opts.kerberos?.keytab) fail('Kerberos needs a password or kerberos.keytab.');
  if (opts.kerberos && !usesKerberos) fail(`kerberos settings apply to auth 'kerberos' or 'negotiate' only.`);
  if (!opts.username) fail('username is empty.');

  const warnings: ClientSettings['warnings'] = [];
  const mode = opts.encryption ?? 'auto';
  let encrypt = false;
  if (opts.auth === 'basic') {
    if (mode === 'always') fail("encryption 'always' needs NTLM: Basic has no session key to encrypt with. Use HTTPS.");
    if (!isHttps && !opts.allowUnencrypted) {
      warnings.push({ obj: { host, auth: 'basic' }, msg: 'WinRM Basic over http:// sends the password and all data in clear text; use HTTPS' });
    }
  } else if (usesKerberos) {
    if (mode === 'always') fail("encryption 'always' is not available with Kerberos (no GSS IOV wrap); HTTPS already encrypts.");
  } else {
    encrypt = mode === 'always' || (mode === 'auto' && !isHttps);
    if (mode === 'never' && !isHttps) {
      if (!opts.allowUnencrypted) {
        fail("Windows refuses unencrypted NTLM over HTTP by default (AllowUnencrypted=false); use HTTPS or encryption 'auto'. Set allowUnencrypted: true only for an endpoint that allows it.");
      }
      warnings.push({ obj: { host, auth: 'ntlm', encryption: 'never' }, msg: 'WinRM NTLM over http:// without message encryption (allowUnencrypted: true): traffic is readable on the network' });
    }
  }

  let tls: TlsSettings = { ca: undefined, pin: undefined, insecure: opts.insecure === true };
  if (opts.ca !== undefined || opts.pinSha256 !== undefined || opts.insecure) {
    if (!isHttps) fail('ca, pinSha256 and insecure apply to https:// URLs only.');
    try {
      tls = { ca: opts.ca !== undefined ? loadCa(opts.ca) : undefined, pin: opts.pinSha256 !== undefined ? parsePin(opts.pinSha256) : undefined, insecure: opts.insecure === true };
    } catch (error) {
      fail(`TLS settings invalid: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (tls.insecure) {
      warnings.push({ obj: { host, insecure: true, pinned: tls.pin !== undefined }, msg: 'WinRM TLS certificate verification is disabled for this host (insecure: true)' });
    }
  }

  const { username, domain } = opts.auth === 'ntlm' || opts.auth === 'negotiate' ? splitUser(opts.username, opts.domain) : { username: opts.username, domain: opts.domain ?? '' };
  const requestMs = positive(opts.timeouts?.requestMs, DEFAULTS.requestMs, 'timeouts.requestMs', host);
  const connectMs = positive(opts.timeouts?.connectMs, DEFAULTS.connectMs, 'timeouts.connectMs', host);
  let kerberos: KerberosSettings | undefined;
  if (usesKerberos) {
    const spn = opts.kerberos?.spn ?? `HTTP/${url.hostname}`;
    if (!opts.kerberos?.spn && (/^[\d.]+$/.test(url.hostname) || url.hostname.includes(':') || url.hostname.startsWith('['))) {
      fail('the URL names the host by IP address, and Kerberos service tickets are issued for names: use the host\'s DNS name in the URL, or set kerberos.spn (HTTP/<host FQDN>).');
    }
    if (!/^[^/@\s]+\/[^/@\s]+(@[^/@\s]+)?$/.test(spn)) fail(`kerberos.spn '${spn}' is not a service principal like HTTP/host.example.com.`);
    kerberos = {
      principal: kerberosPrincipal(opts.username, opts.domain),
      spn,
      keytab: opts.kerberos?.keytab,
      renewBeforeMs: positive(opts.kerberos?.renewBeforeMs, 600_000, 'kerberos.renewBeforeMs', host),
      kdcTimeoutMs: positive(opts.kerberos?.kdcTimeoutMs, connectMs * 2, 'kerberos.kdcTimeoutMs', host),
    };
  }
  return {
    url,
    host,
    auth: opts.auth,
    username,
    domain,
    encrypt,
    kerberos,
    tls,
    connectMs,
    requestMs,
    commandMs: positive(opts.timeouts?.commandMs, DEFAULTS.commandMs, 'timeouts.commandMs', host),
    operationTimeoutSec: positive(opts.operationTimeoutSec, DEFAULTS.operationTimeoutSec, 'operationTimeoutSec', host),
    maxResponseBytes: byteCap(opts, 'maxResponseBytes', host),
    maxOutputBytes: byteCap(opts, 'maxOutputBytes', host),
    warnings,
  };
}
