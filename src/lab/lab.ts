// The lab: simulated Windows hosts on 127.0.0.1. Each host is one model behind a real WS-Management
// server (Basic and NTLM) and a real RDP listener; a DNS server answers for their names. Fixes applied
// through WinRM change the model, and the RDP listener follows.
import { randomBytes } from 'node:crypto';
import { startPrimitiveServer, type PrimitiveServer } from './runtime/primitives.ts';
import { createLabCa, createCertificate, type LabCertificate } from './certs/index.ts';
import { startDnsServer, type LabDnsServer } from './dns/server.ts';
import { SimulatedHost } from './model/index.ts';
import { startRdpListener, type RdpListener } from './rdp/index.ts';
import { buildHost, getScenario, loadScenarioFile, type Scenario } from './scenarios/index.ts';
import { startWsmanServer, type WsmanServer } from './wsman/index.ts';
import { startKdc, type Kdc } from './kerberos/kdc.ts';

export const LAB_REALM = 'LAB.TEST';

export const LAB_DOMAIN = 'lab.test';
export const LAB_USERNAME = 'Administrator';

export interface LabHostSpec {
  name: string;
  /** Scenario names (built-in) or scenario file paths, applied in order on a healthy host. */
  scenarios: string[];
  /** Cut off: its WinRM and RDP ports are closed (connections refused), as for a machine rdp-medic cannot reach. */
  offline?: boolean;
}

export interface LabOptions {
  hosts: LabHostSpec[];
  latencyMs?: number;
  jitterMs?: number;
  /**
   * What the inventory uses; every lab host accepts Basic and NTLM. 'kerberos' (HTTPS only) also starts
   * a throwaway KDC (realm LAB.TEST) and makes every host accept Kerberos for HTTP/<name>.lab.test.
   */
  auth?: 'basic' | 'ntlm' | 'kerberos';
  /** Serve WinRM over HTTPS with a lab CA (the config names the CA file). */
  https?: boolean;
  password?: string;
  clock?: () => Date;
  /**
   * Who executes plans on the simulated hosts: 'model' (default), the lab's TypeScript operations;
   * 'pwsh', the real runtime engine under PowerShell 7 with the lab's primitives (slower, truer).
   */
  runtime?: 'model' | 'pwsh';
  /** Modelled powershell.exe start-up and compile cost per command, ms (default 0). */
  powershellStartupMs?: number;
}

export interface LabHost {
  name: string;
  scenario: string;
  address: string;
  simulated: SimulatedHost;
  winrm: { url: string; auth: 'basic' | 'ntlm' | 'kerberos'; username: string; password: string };
  /** With auth 'kerberos': what any Kerberos client needs (KRB5_CONFIG=krb5Conf). */
  kerberos?: { realm: string; kdc: string; spn: string; username: string; password: string; krb5Conf: string };
  rdp: { host: string; port: number };
}

export interface Lab {
  hosts: LabHost[];
  dns: LabDnsServer;
  /** PEM of the CA that signed the WinRM HTTPS certificates (null over HTTP). */
  caPem: string | null;
  close(): Promise<void>;
}

interface Running {
  wsman: WsmanServer;
  rdp: RdpListener;
  unsubscribe: () => void;
  /** Its listeners are closed already (an offline host). */
  closed: boolean;
}

function resolveScenario(ref: string): Scenario {
  return /[/\\]|\.(ya?ml|json)$/i.test(ref) ? loadScenarioFile(ref) : getScenario(ref);
}

/** Host names in the lab are valid host ids and NetBIOS-ish computer names. */
export function labHostName(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^-+|-+$/g, '') || 'host';
}

async function startHost(
  spec: LabHostSpec,
  opts: LabOptions,
  password: string,
  tls: { ca: LabCertificate } | null,
  primitives: PrimitiveServer | null,
  kdc: Kdc | null,
): Promise<{ host: LabHost; running: Running }> {
  const scenarios = spec.scenarios.map(resolveScenario);
  const now = opts.clock?.() ?? new Date();
  const model = buildHost(scenarios, { computerName: spec.name.toUpperCase(), password, now });
  const simulated = new SimulatedHost(model, {
    ...(opts.clock ? { clock: opts.clock } : {}),
    faults: { latencyMs: opts.latencyMs ?? 0, jitterMs: opts.jitterMs ?? 0 },
    ...(primitives ? { runtime: { kind: 'pwsh' as const, server: primitives } } : {}),
    ...(opts.powershellStartupMs ? { startupMs: opts.powershellStartupMs } : {}),
  });
  const address = `${spec.name}.${LAB_DOMAIN}`;
  const cert = tls
    ? createCertificate({
        commonName: address,
        dnsNames: [address, 'localhost'],
        ipAddresses: ['127.0.0.1'],
        notBefore: new Date(now.getTime() - 86_400_000),
        notAfter: new Date(now.getTime() + 365 * 86_400_000),
        issuer: tls.ca,
      })
    : null;
  const wsman = await startWsmanServer({
    host: simulated,
    ...(cert ? { tls: { cert: cert.certPem, key: cert.keyPem } } : {}),
    ...(kdc ? { kerberos: { keytab: kdc.keytab, spn: `HTTP/${address}` } } : {}),
  });
  const rdp = await startRdpListener({ getState: () => simulated.rdpState(), faults: simulated.faults, modelPorts: [3389] });
  // A fix applied over WinRM may stop, start or move the listener: follow the model.
  const unsubscribe = simulated.onChange(() => void rdp.refresh());
  simulated.startTaskClock();
  // Its addresses stay in the inventory, but nothing answers on them any more.
  if (spec.offline) await Promise.all([wsman.close(), rdp.close()]);
  const host: LabHost = {
    name: spec.name,
    scenario: spec.offline ? 'offline' : scenarios.map((s) => s.name).join('+'),
    address,
    simulated,
    winrm: { url: wsman.url, auth: opts.auth ?? 'ntlm', username: kdc ? `${LAB_USERNAME}@${kdc.realm}` : LAB_USERNAME, password },
    ...(kdc ? { kerberos: { realm: kdc.realm, kdc: kdc.address, spn: `HTTP/${address}`, username: `${LAB_USERNAME}@${kdc.realm}`, password, krb5Conf: kdc.krb5Conf } } : {}),
    rdp: { host: '127.0.0.1', port: rdp.realPortFor(3389) ?? 0 },
  };
  return { host, running: { wsman, rdp, unsubscribe, closed: spec.offline === true } };
}

export async function startLab(opts: LabOptions): Promise<Lab> {
  const names = new Set<string>();
  for (const h of opts.hosts) {
    if (names.has(h.name)) throw new Error(`lab: host name "${h.name}" is used twice`);
    names.add(h.name);
  }
  if (opts.auth === 'kerberos' && !opts.https) throw new Error('lab: Kerberos needs https (rdp-medic refuses Kerberos over http)');
  // Validate every scenario before starting anything, so a typo starts nothing.
  for (const h of opts.hosts) h.scenarios.forEach(resolveScenario);

  const password = opts.password ?? randomBytes(12).toString('base64url');
  const ca = opts.https ? createLabCa({ commonName: 'rdp-medic lab CA' }) : null;
  const dns = await startDnsServer();
  const primitives = opts.runtime === 'pwsh' ? await startPrimitiveServer() : null;
  let kdc: Kdc | null = null;
  if (opts.auth === 'kerberos') {
    kdc = await startKdc({ realm: LAB_REALM, users: { [LAB_USERNAME]: password }, services: opts.hosts.map((h) => `HTTP/${h.name}.${LAB_DOMAIN}`) });
    // The hosts' acceptors in this process map HTTP/<name>.lab.test to the realm through it.
    process.env.KRB5_CONFIG = kdc.krb5Conf;
  }
  const hosts: LabHost[] = [];
  const running: Running[] = [];
  const close = async (): Promise<void> => {
    for (const r of running) r.unsubscribe();
    for (const h of hosts) h.simulated.stop();
    await Promise.all(running.filter((r) => !r.closed).flatMap((r) => [r.wsman.close(), r.rdp.close()]));
    await dns.close();
    await primitives?.close();
    await kdc?.close();
  };
  try {
    // In batches: a fleet of hundreds starts quickly without a burst of thousands of binds at once.
    const batch = 50;
    for (let i = 0; i < opts.hosts.length; i += batch) {
      const started = await Promise.all(opts.hosts.slice(i, i + batch).map((spec) => startHost(spec, opts, password, ca ? { ca } : null, primitives, kdc)));
      for (const s of started) {
        hosts.push(s.host);
        running.push(s.running);
        const own = s.host.simulated.model.ipAddresses.map((ip) => ip.address);
        // DNS answers with where the lab really serves the host (127.0.0.1); a host whose own
        // addresses differ (dns-mismatch) is then reached under a name that points elsewhere.
        dns.set(s.host.address, { a: ['127.0.0.1'], aaaa: own.includes('::1') ? ['::1'] : [] });
      }
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { hosts, dns, caPem: ca?.certPem ?? null, close };
}
