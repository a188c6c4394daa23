// Disposable xrdp server for conformance tests (docs/rdp-probe.md §6): a throwaway xrdp.ini in a
// mkdtemp dir, bound to 127.0.0.1 only, no root-owned config touched. Plus test certificates made
// with the openssl CLI (valid, expired, not-yet-valid, CA-signed EC).
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { freePort } from '../support/free-port.ts';

export type SecurityLayer = 'negotiate' | 'tls' | 'rdp';

export interface CertFiles {
  certPem: string;
  keyPem: string;
}

export interface XrdpOptions {
  securityLayer: SecurityLayer;
  /** Certificate to serve; 'missing' points xrdp at absolute paths that do not exist. Default: 'missing'. */
  cert?: CertFiles | 'missing';
  /** xrdp ssl_protocols, e.g. 'TLSv1.2, TLSv1.3' (default) or 'TLSv1'. */
  sslProtocols?: string;
  /** xrdp tls_ciphers, e.g. 'DEFAULT:@SECLEVEL=0' for a TLS 1.0 server. */
  tlsCiphers?: string;
}

export interface XrdpInstance {
  port: number;
  pid: number;
  dir: string;
  stop(): Promise<void>;
}

const RSAKEYS = '/etc/xrdp/rsakeys.ini';
const READY_DEADLINE_MS = 5000;
const START_ATTEMPTS = 5;

function findXrdp(): string {
  for (const dir of [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin']) {
    const candidate = join(dir, 'xrdp');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // keep looking
    }
  }
  throw new Error('xrdp binary not found (PATH, /usr/sbin): run `apt-get install -y --no-install-recommends xrdp`');
}

function checkPrerequisites(): void {
  // xrdp's startup check needs the RSA keys at this compiled-in path; Debian's postinst creates them.
  if (!existsSync(RSAKEYS)) {
    throw new Error(`${RSAKEYS} is missing: xrdp will not start. Reinstall the package (apt-get install --reinstall xrdp) or run xrdp-keygen xrdp auto`);
  }
  // A system daemon's pid file makes any new xrdp refuse to start ("already running").
  if (existsSync('/var/run/xrdp.pid')) {
    throw new Error('/var/run/xrdp.pid exists (a system xrdp daemon is running): test xrdp instances would refuse to start');
  }
}


function iniText(dir: string, port: number, o: XrdpOptions): string {
  // Absolute paths only: a relative or empty path silently falls back to /etc/xrdp/cert.pem (§7).
  const cert = o.cert && o.cert !== 'missing' ? o.cert : { certPem: join(dir, 'absent', 'cert.pem'), keyPem: join(dir, 'absent', 'key.pem') };
  return [
    '[Globals]',
    'fork=false',
    `port=tcp://127.0.0.1:${port}`, // a bare number would bind 0.0.0.0
    `security_layer=${o.securityLayer}`,
    'crypt_level=high',
    `certificate=${cert.certPem}`,
    `key_file=${cert.keyPem}`,
    `ssl_protocols=${o.sslProtocols ?? 'TLSv1.2, TLSv1.3'}`,
    ...(o.tlsCiphers ? [`tls_ciphers=${o.tlsCiphers}`] : []),
    '[Logging]',
    `LogFile=${join(dir, 'xrdp.log')}`,
    'LogLevel=INFO',
    'EnableSyslog=false',
    'EnableConsole=false',
    '[Channels]',
    '',
  ].join('\n');
}

// Children still alive when the test process exits get SIGKILL, so a failed test never leaks xrdp.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** Connects once; resolves true on connect, false on error. */
function tryConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      s.destroy();
      resolve(false);
    });
  });
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await waitExit(child);
    clearTimeout(killer);
  }
  live.delete(child);
}

async function startOnce(binary: string, dir: string, o: XrdpOptions): Promise<XrdpInstance | { exited: string }> {
  const port = await freePort();
  const ini = join(dir, 'xrdp.ini');
  writeFileSync(ini, iniText(dir, port, o));
  const child = spawn(binary, ['--nodaemon', '--config', ini], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + READY_DEADLINE_MS;
  // Readiness is an event (accepting connections) polled with a deadline; an early exit ends the wait.
  while (!exited) {
    if (await tryConnect(port)) break;
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`xrdp did not accept connections on 127.0.0.1:${port} within ${READY_DEADLINE_MS} ms\n${output}`);
    }
    await delay(5);
  }
  if (exited) {
    live.delete(child);
    const log = existsSync(join(dir, 'xrdp.log')) ? readFileSync(join(dir, 'xrdp.log'), 'utf8') : '';
    return { exited: `${output}\n${log}`.trim() };
  }
  return {
    port,
    pid: child.pid ?? -1,
    dir,
    stop: async () => {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Starts xrdp on a free 127.0.0.1 port; retries with a new port if xrdp exits early (port collision). */
export async function startXrdp(o: XrdpOptions): Promise<XrdpInstance> {
  const binary = findXrdp();
  checkPrerequisites();
  const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-xrdp-'));
  let last = '';
  for (let attempt = 0; attempt < START_ATTEMPTS; attempt++) {
    const r = await startOnce(binary, dir, o);
    if (!('exited' in r)) return r;
    last = r.exited;
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error(`xrdp exited before accepting connections (${START_ATTEMPTS} attempts); last output:\n${last}`);
}

// ---------------------------------------------------------------------------------------------
// Certificates (openssl CLI; OpenSSL 3.0 has no -not_before/-not_after, so dated certs use `openssl ca -selfsign`)

export interface TestCerts {
  dir: string;
  valid: CertFiles;
  expired: CertFiles;
  notYetValid: CertFiles;
  caSignedEc: CertFiles & { caPem: string };
  cleanup(): void;
}

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`openssl ${args[0]} failed: ${e.stderr?.toString() ?? e.message}`);
  }
}

/** Self-signed cert with explicit dates via a minimal `openssl ca` setup; keyUsage deliberately lacks keyCertSign (like Windows RDP certs). */
function datedSelfSigned(dir: string, name: string, cn: string, start: string, end: string): CertFiles {
  const d = join(dir, name);
  rmSync(d, { recursive: true, force: true });
  execFileSync('mkdir', ['-p', d]);
  writeFileSync(join(d, 'index.txt'), '');
  writeFileSync(join(d, 'serial'), '1000\n');
  writeFileSync(
    join(d, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = ca_default',
      '[ca_default]',
      `dir = ${d}`,
      `database = ${d}/index.txt`,
      `new_certs_dir = ${d}`,
      `serial = ${d}/serial`,
      'default_md = sha256',
      'policy = policy_any',
      'unique_subject = no',
      'email_in_dn = no',
      '[policy_any]',
      'commonName = supplied',
      '[ext]',
      `subjectAltName = DNS:${cn},IP:127.0.0.1`,
      'basicConstraints = CA:FALSE',
      'keyUsage = digitalSignature, keyEncipherment',
      'extendedKeyUsage = serverAuth',
      '',
    ].join('\n'),
  );
  const keyPem = join(d, 'key.pem');
  const certPem = join(d, 'cert.pem');
  openssl(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyPem, '-out', join(d, 'req.csr'), '-subj', `/CN=${cn}`], d);
  openssl(['ca', '-batch', '-notext', '-config', join(d, 'ca.cnf'), '-selfsign', '-keyfile', keyPem, '-in', join(d, 'req.csr'), '-out', certPem, '-startdate', start, '-enddate', end, '-extensions', 'ext'], d);
  return { certPem, keyPem };
}

/** Makes the certificate set once (callers cache it per test file) in a fresh temp dir. */
export function makeTestCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-certs-'));
  const valid = { certPem: join(dir, 'valid.crt'), keyPem: join(dir, 'valid.key') };
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', valid.keyPem, '-out', valid.certPem, '-subj', '/CN=rdp-valid.local',
      '-addext', 'subjectAltName=DNS:rdp-valid.local,IP:127.0.0.1', '-days', '365'],
    dir,
  );
  const expired = datedSelfSigned(dir, 'expired', 'rdp-expired.local', '20240101000000Z', '20240102000000Z');
  const notYetValid = datedSelfSigned(dir, 'future', 'rdp-future.local', '20350101000000Z', '20360101000000Z');
  // CA-signed EC P-256 leaf: not self-signed, key type ec.
  const caPem = join(dir, 'ca.crt');
  const caKey = join(dir, 'ca.key');
  openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caPem, '-subj', '/CN=rdp-medic test CA', '-days', '365'], dir);
  const ecKey = join(dir, 'ec.key');
  const ecCert = join(dir, 'ec.crt');
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', ecKey, '-out', join(dir, 'ec.csr'), '-subj', '/CN=rdp-ec.local'], dir);
  writeFileSync(join(dir, 'ec.ext'), 'subjectAltName=DNS:rdp-ec.local,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', join(dir, 'ec.csr'), '-CA', caPem, '-CAkey', caKey, '-CAcreateserial', '-out', ecCert, '-days', '365', '-extfile', join(dir, 'ec.ext')], dir);
  return {
    dir,
    valid,
    expired,
    notYetValid,
    caSignedEc: { certPem: ecCert, keyPem: ecKey, caPem },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
