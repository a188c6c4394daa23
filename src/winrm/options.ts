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

export interface ClientSettings {
  url: URL;
  /** host:port for messages. */
  host: string;
  auth: AuthMethod;
  username: string;
  domain: string;
  encrypt: boolean;
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
  if (opts.auth !== 'basic' && opts.auth !== 'ntlm') fail(`auth must be 'basic' or 'ntlm' (got ${String(opts.auth)}).`);
  if (!opts.username) fail('username is empty.');

  const warnings: ClientSettings['warnings'] = [];
  const mode = opts.encryption ?? 'auto';
  let encrypt = false;
  if (opts.auth === 'basic') {
    if (mode === 'always') fail("encryption 'always' needs NTLM: Basic has no session key to encrypt with. Use HTTPS.");
    if (!isHttps && !opts.allowUnencrypted) {
      warnings.push({ obj: { host, auth: 'basic' }, msg: 'WinRM Basic over http:// sends the password and all data in clear text; use HTTPS' });
    }
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

  const { username, domain } = opts.auth === 'ntlm' ? splitUser(opts.username, opts.domain) : { username: opts.username, domain: opts.domain ?? '' };
  const requestMs = positive(opts.timeouts?.requestMs, DEFAULTS.requestMs, 'timeouts.requestMs', host);
  return {
    url,
    host,
    auth: opts.auth,
    username,
    domain,
    encrypt,
    tls,
    connectMs: positive(opts.timeouts?.connectMs, DEFAULTS.connectMs, 'timeouts.connectMs', host),
    requestMs,
    commandMs: positive(opts.timeouts?.commandMs, DEFAULTS.commandMs, 'timeouts.commandMs', host),
    operationTimeoutSec: positive(opts.operationTimeoutSec, DEFAULTS.operationTimeoutSec, 'operationTimeoutSec', host),
    maxResponseBytes: byteCap(opts, 'maxResponseBytes', host),
    maxOutputBytes: byteCap(opts, 'maxOutputBytes', host),
    warnings,
  };
}
