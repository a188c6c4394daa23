// A throwaway MIT Kerberos KDC on loopback (for `rdp-medic lab --auth kerberos` and the tests): its own realm, krb5.conf, kdc.conf, database and keytab in
// a temp folder (Debian's krb5-kdc and krb5-admin-server). Nothing touches /etc or the default caches.
//   const kdc = await startKdc({ realm: 'LAB.TEST', users: { alice: 'pw' }, services: ['HTTP/web.lab.test'] });
//   process.env.KRB5_CONFIG = kdc.krb5Conf;   ...   await kdc.close();
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface KdcOptions {
  realm: string;
  /** principal name (without realm) -> password */
  users: Record<string, string>;
  /** Service principals (without realm) given random keys and exported to `keytab`. */
  services: string[];
  /** Run the KDC with its clock this far off (libfaketime), e.g. '+1h'. */
  clockOffset?: string;
  /** Lifetime of issued tickets (kdc.conf max_life), e.g. '10h'. */
  maxLife?: string;
  /** More realms in the written krb5.conf: name -> KDC host:port (e.g. one nobody listens on). */
  extraRealms?: Record<string, string>;
}

export interface Kdc {
  realm: string;
  /** host:port of the KDC (UDP and TCP). */
  address: string;
  port: number;
  dir: string;
  /** krb5.conf for clients and acceptors of this realm (dns lookups off, rdns off). */
  krb5Conf: string;
  /** Keytab holding every service principal. */
  keytab: string;
  /** Writes a krb5.conf whose realm points at `kdc` (host:port) instead; returns its path. */
  confWithKdc(name: string, kdc: string): string;
  /** Adds a principal with a password (kadmin.local). */
  addUser(name: string, password: string): void;
  close(): Promise<void>;
}

const KDC_BIN = '/usr/sbin/krb5kdc';

/** A port nobody listens on right now (the KDC binds it a moment later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}
const FAKETIME_LIB = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export async function startKdc(opts: KdcOptions): Promise<Kdc> {
  for (const bin of [KDC_BIN, '/usr/sbin/kdb5_util', '/usr/sbin/kadmin.local']) {
    if (!existsSync(bin)) throw new Error(`a lab KDC needs ${bin}: sudo apt-get install -y krb5-kdc krb5-admin-server krb5-user`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'kdc-'));
  const port = await freePort();
  const { realm } = opts;
  const kdcConf = join(dir, 'kdc.conf');
  const krb5Conf = join(dir, 'krb5.conf');
  const keytab = join(dir, 'services.keytab');
  writeFileSync(kdcConf, `[kdcdefaults]
 kdc_listen = 127.0.0.1:${port}
 kdc_tcp_listen = 127.0.0.1:${port}
[realms]
 ${realm} = {
  database_name = ${join(dir, 'principal')}
  key_stash_file = ${join(dir, 'stash')}
  acl_file = ${join(dir, 'kadm5.acl')}
  max_life = ${opts.maxLife ?? '10h'}
  max_renewable_life = 1d
  supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
 }
[logging]
 kdc = STDERR
`);
  const writeConf = (path: string, kdc: string): string => {
    writeFileSync(path, `[libdefaults]
 default_realm = ${realm}
 dns_lookup_kdc = false
 dns_lookup_realm = false
 dns_canonicalize_hostname = false
 rdns = false
 # MIT's default (1) silently corrects a client-KDC clock offset; Windows reports it, so do we.
 kdc_timesync = 0
 udp_preference_limit = 1
[realms]
 ${realm} = {
  kdc = ${kdc}
 }
${Object.entries(opts.extraRealms ?? {}).map(([r, k]) => ` ${r} = {\n  kdc = ${k}\n }\n`).join('')}[domain_realm]
 .${realm.toLowerCase()} = ${realm}
 ${realm.toLowerCase()} = ${realm}
`);
    return path;
  };
  writeConf(krb5Conf, `127.0.0.1:${port}`);
  writeFileSync(join(dir, 'kadm5.acl'), '');

  const env = { ...process.env, KRB5_CONFIG: krb5Conf, KRB5_KDC_PROFILE: kdcConf };
  const run = (cmd: string, args: string[]): void => {
    execFileSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
  };
  const kadmin = (query: string): void => run('/usr/sbin/kadmin.local', ['-r', realm, '-q', query]);
  run('/usr/sbin/kdb5_util', ['create', '-s', '-r', realm, '-P', 'throwaway-master-key']);
  // Pre-authentication required, as Active Directory does (a wrong password then fails at the AS exchange).
  const addUser = (name: string, password: string): void => kadmin(`addprinc +requires_preauth -pw ${password} ${name}`);
  for (const [name, password] of Object.entries(opts.users)) addUser(name, password);
  for (const service of opts.services) {
    kadmin(`addprinc -randkey ${service}`);
    kadmin(`ktadd -k ${keytab} ${service}`);
  }

  // libfaketime preloaded into the KDC itself (not the faketime wrapper, whose child would outlive a kill).
  const clock = opts.clockOffset ? { LD_PRELOAD: FAKETIME_LIB, FAKETIME: opts.clockOffset, FAKETIME_DONT_FAKE_MONOTONIC: '1' } : {};
  const kdc: ChildProcess = spawn(KDC_BIN, ['-n', '-r', realm], { env: { ...env, ...clock }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  kdc.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 64 * 1024) stderr += c.toString();
  });
  await waitForKdc(kdc, () => stderr);

  return {
    realm,
    address: `127.0.0.1:${port}`,
    port,
    dir,
    krb5Conf,
    keytab,
    confWithKdc: (name, address) => writeConf(join(dir, name), address),
    addUser,
    close: async () => {
      if (kdc.exitCode === null && kdc.signalCode === null) {
        const exited = new Promise((resolve) => kdc.once('exit', resolve));
        kdc.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when the KDC logs "commencing operation" (it has bound its sockets); rejects if it exits first. */
function waitForKdc(kdc: ChildProcess, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`krb5kdc did not start within 15 s: ${stderr()}`)), 15_000);
    const onData = (): void => {
      if (!stderr().includes('commencing operation')) return;
      clearTimeout(timer);
      kdc.stderr?.off('data', onData);
      kdc.off('exit', onExit);
      resolve();
    };
    const onExit = (code: number | null): void => fail(new Error(`krb5kdc exited (${code}): ${stderr()}`));
    const fail = (e: Error): void => {
      clearTimeout(timer);
      kdc.kill('SIGKILL');
      reject(e);
    };
    kdc.stderr?.on('data', onData);
    kdc.once('exit', onExit);
  });
}
