// One private credential cache per Kerberos credential (never the machine's default cache): a FILE
// ccache in a 0700 temp folder, filled by MIT kinit from a password (on stdin, never in argv) or a keytab,
// and refilled before its TGT expires. Every kinit runs under a timeout; its errors become messages that
// name the cause and never the secret.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KerberosCredential {
  /** user@REALM, or a bare user name for krb5.conf's default_realm. */
  principal: string;
  password?: string;
  keytab?: string;
}

/** Why getting a ticket failed; `message` is safe to show (no secret). */
export class TicketError extends Error {
  constructor(
    message: string,
    readonly kind: 'password' | 'unknown-principal' | 'kdc-unreachable' | 'clock-skew' | 'realm' | 'keytab' | 'expired-password' | 'timeout' | 'tools' | 'other',
  ) {
    super(message);
  }
}

/** What kinit prints -> the cause and what to do (MIT krb5 1.20 wording). */
const KINIT_ERRORS: Array<[RegExp, TicketError['kind'], string]> = [
  [/Password incorrect|Preauthentication failed/i, 'password', 'the KDC rejected the password'],
  [/not found in Kerberos database/i, 'unknown-principal', 'the KDC does not know this user principal (check the user name and realm)'],
  [/Cannot contact any KDC|Cannot resolve network address for KDC|Connection refused/i, 'kdc-unreachable', 'no KDC of the realm could be reached (check krb5.conf [realms] kdc, DNS and the firewall: port 88)'],
  [/Clock skew too great/i, 'clock-skew', 'the clocks of this machine and the KDC differ by more than the allowed skew (5 minutes by default): fix NTP on both'],
  [/Cannot find KDC for realm|does not specify default realm|Realm not local to KDC|wrong realm/i, 'realm', 'the realm is not configured here or the KDC serves another realm (check the user principal\'s @REALM and krb5.conf [realms]/[domain_realm])'],
  [/Key table|keytab|No key table entry/i, 'keytab', 'the keytab has no usable key for this principal'],
  [/Password has expired|expired/i, 'expired-password', 'the password has expired: change it in the domain'],
];

export function describeKinitFailure(stderr: string): TicketError {
  for (const [re, cause, text] of KINIT_ERRORS) if (re.test(stderr)) return new TicketError(text, cause);
  const firstLine = stderr.split('\n').map((l) => l.trim()).find((l) => l && !/^Password for /i.test(l)) ?? 'no output';
  return new TicketError(`kinit failed: ${firstLine.slice(0, 200)}`, 'other');
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, input: string | undefined, timeoutMs: number): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return reject(new TicketError(`${cmd} is missing: install Debian's krb5-user (MIT Kerberos tools)`, 'tools'));
      }
      if (error.killed) return reject(new TicketError(`no answer from the KDC within ${timeoutMs} ms (is it reachable on port 88?)`, 'timeout'));
      reject(describeKinitFailure(`${stderr}\n${stdout}`));
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

/** Expiry of the TGT in `klist -c` output (run with LC_ALL=C, TZ=UTC): "12/07/26 15:52:20  12/08/26 01:52:20  krbtgt/...". */
export function tgtExpiry(klist: string): number | undefined {
  for (const line of klist.split('\n')) {
    const m = /^\s*\S+\s+\S+\s+(\d{2})\/(\d{2})\/(\d{2,4})\s+(\d{2}):(\d{2}):(\d{2})\s+krbtgt\//.exec(line);
    if (!m) continue;
    const year = Number(m[3]) < 100 ? 2000 + Number(m[3]) : Number(m[3]);
    return Date.UTC(year, Number(m[1]) - 1, Number(m[2]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  return undefined;
}

export class TicketCache {
  /** `FILE:<private dir>/ccache`, for KRB5CCNAME while a GSSAPI context is started. */
  readonly name: string;
  readonly #dir: string;
  readonly #cred: KerberosCredential;
  #expiresAt: number | undefined;
  #pending: Promise<void> | undefined;
  /** How many times kinit filled this cache (for tests and the bench). */
  acquisitions = 0;

  constructor(cred: KerberosCredential) {
    this.#cred = cred;
    this.#dir = mkdtempSync(join(tmpdir(), 'rdp-medic-krb5-')); // mode 0700
    this.name = `FILE:${join(this.#dir, 'ccache')}`;
  }

  get expiresAt(): number | undefined {
    return this.#expiresAt;
  }

  /** Makes sure a TGT valid for at least `renewBeforeMs` more is in the cache (one kinit at a time). */
  async ensure(renewBeforeMs: number, timeoutMs: number): Promise<void> {
    while (this.#pending) await this.#pending.catch(() => undefined);
    if (this.#expiresAt !== undefined && this.#expiresAt - Date.now() > renewBeforeMs) return;
    this.#pending = this.#acquire(timeoutMs);
    try {
      await this.#pending;
    } finally {
      this.#pending = undefined;
    }
  }

  /** Forgets the ticket so the next ensure() runs kinit (after the host said the ticket expired). */
  invalidate(): void {
    this.#expiresAt = undefined;
  }

  async #acquire(timeoutMs: number): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env, KRB5CCNAME: this.name, LC_ALL: 'C', TZ: 'UTC' };
    const { principal, password, keytab } = this.#cred;
    const args = keytab ? ['-k', '-t', keytab, principal] : [principal];
    await run('kinit', args, env, keytab ? undefined : `${password ?? ''}\n`, timeoutMs);
    const { stdout } = await run('klist', ['-c', this.name], env, undefined, timeoutMs);
    this.#expiresAt = tgtExpiry(stdout) ?? Date.now() + 60_000;
    this.acquisitions += 1;
  }

  destroy(): void {
    rmSync(this.#dir, { recursive: true, force: true });
  }
}

/** One cache per credential in this process, shared by every client using it; removed at exit. */
const caches = new Map<string, TicketCache>();
let exitHook = false;

export function ticketCacheFor(cred: KerberosCredential): TicketCache {
  // Keyed by a hash, so the map holds no secret in its keys.
  const key = createHash('sha256').update(JSON.stringify([cred.principal, cred.keytab ?? '', cred.password ?? ''])).digest('hex');
  let cache = caches.get(key);
  if (!cache) {
    cache = new TicketCache(cred);
    caches.set(key, cache);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', () => {
        for (const c of caches.values()) c.destroy();
      });
    }
  }
  return cache;
}
