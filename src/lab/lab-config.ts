// The configuration file a running lab hands to the other commands (`--config-out`): inventory,
// the lab credential, the lab's DNS server and a permissive policy. It holds the lab password, so it
// is written readable by its owner only, and by default outside any checkout (defaultLabConfigPath).
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Lab } from './lab.ts';

export const LAB_CREDENTIAL = 'lab-admin';

export function labConfig(lab: Lab, opts: { caFile?: string } = {}): Record<string, unknown> {
  const first = lab.hosts[0];
  const hosts = Object.fromEntries(
    lab.hosts.map((h) => [
      h.name,
      {
        address: h.address,
        winrm: {
          url: h.winrm.url, auth: h.winrm.auth, credential: LAB_CREDENTIAL, ...(opts.caFile ? { ca: opts.caFile } : {}),
          // The URL names 127.0.0.1; the ticket is for the host's lab name (clients need KRB5_CONFIG=kerberos.krb5Conf).
          ...(h.kerberos ? { kerberos: { spn: h.kerberos.spn } } : {}),
        },
        rdp: { host: h.rdp.host, port: h.rdp.port },
        rdpUsers: [`${h.name.toUpperCase()}\\rdpuser`],
        groups: ['lab'],
        tags: h.scenario.split('+'),
      },
    ]),
  );
  return {
    credentials: first ? { [LAB_CREDENTIAL]: { username: first.winrm.username, password: { value: first.winrm.password } } } : {},
    hosts,
    dns: { servers: [lab.dns.address] },
    policy: {
      // The lab is a sandbox: alice and bob respond (check, request fixes), bob approves every risk
      // class. Four-eyes stays on, so alice's disruptive fixes need bob (the demo's walkthrough).
      roles: { responder: ['console:alice', 'console:bob'], approver: ['console:bob'] },
      approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
    },
  };
}

export function writeLabConfig(lab: Lab, file: string, opts: { caFile?: string } = {}): void {
  const header = '# Written by `rdp-medic lab`: valid while that lab runs. Holds the lab password.\n';
  writeFileSync(file, header + stringify(labConfig(lab, opts)), { mode: 0o600 });
}

/**
 * Where `rdp-medic lab` writes its configuration when not told: $XDG_RUNTIME_DIR/rdp-medic (a
 * per-user tmpfs), else <os temp dir>/rdp-medic-<uid>, in a 0700 directory; one file per lab
 * process. Never the working directory, which is often a checkout.
 */
export function defaultLabConfigPath(env: NodeJS.ProcessEnv = process.env, pid = process.pid): string {
  const dir = env['XDG_RUNTIME_DIR'] ? join(env['XDG_RUNTIME_DIR'], 'rdp-medic') : join(tmpdir(), `rdp-medic-${process.getuid?.() ?? 'user'}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return join(dir, `lab-${pid}.yaml`);
}
