// The one read plan every diagnosis runs in a single WinRM command (design §3.7): everything the
// host-side checks of rdp-checks.md §3 read. Op ids are stable names the checks look facts up by.
import { Plan, PLAN_VERSION, ReadValue } from '../host/operations.ts';
import type { OpError, Operation, PlanLimits, PlanResult, ReadOpName, ReadValueOf } from '../host/operations.ts';
import { eventsQueryOp } from '../host/event-xpath.ts';

const TS = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Terminal Server';
const POLICY = 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services';
const SCHANNEL = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols';
const LSA = 'HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa';
export const TS_NAMESPACE = 'root\\cimv2\\TerminalServices';
const RCM = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager';

export const REGISTRY_PATHS = {
  terminalServer: TS,
  winStations: `${TS}\\WinStations`,
  rdpTcp: `${TS}\\WinStations\\RDP-Tcp`,
  tsPolicy: POLICY,
} as const;

export const RDP_SERVICES = ['TermService', 'UmRdpService', 'SessionEnv', 'CryptSvc', 'KeyIso', 'CertPropSvc'] as const;
export type RdpServiceName = (typeof RDP_SERVICES)[number];

export const SCHANNEL_PROTOCOLS = ['TLS 1.0', 'TLS 1.1', 'TLS 1.2'] as const;
export type SchannelProtocol = (typeof SCHANNEL_PROTOCOLS)[number];

/** Op ids of the read plan. */
export const READ_IDS = {
  terminalServer: 'reg.terminalServer',
  winStations: 'reg.winStations',
  rdpTcp: 'reg.rdpTcp',
  tsPolicy: 'reg.tsPolicy',
  termServiceKey: 'reg.termServiceKey',
  schannel: { 'TLS 1.0': 'reg.schannel.tls10', 'TLS 1.1': 'reg.schannel.tls11', 'TLS 1.2': 'reg.schannel.tls12' },
  winStationsDisabled: 'reg.winStationsDisabled',
  setupInProgress: 'reg.setupInProgress',
  oobeInProgress: 'reg.oobeInProgress',
  fipsAlgorithmPolicy: 'reg.fipsAlgorithmPolicy',
  disableDomainCreds: 'reg.disableDomainCreds',
  credSspOracle: 'reg.credSspOracle',
  cipherSuitePolicy: 'reg.cipherSuitePolicy',
  programDataProfile: 'reg.programDataProfile',
  services: {
    TermService: 'svc.TermService',
    UmRdpService: 'svc.UmRdpService',
    SessionEnv: 'svc.SessionEnv',
    CryptSvc: 'svc.CryptSvc',
    KeyIso: 'svc.KeyIso',
    CertPropSvc: 'svc.CertPropSvc',
  },
  tsSetting: 'cim.tsSetting',
  tsGeneral: 'cim.tsGeneral',
  tsTerminal: 'cim.tsTerminal',
  tsAccounts: 'cim.tsAccounts',
  tsNetworkAdapter: 'cim.tsNetworkAdapter',
  certsRemoteDesktop: 'cert.remoteDesktop',
  certsMy: 'cert.my',
  firewallRules: 'fw.rdpRules',
  firewallProfiles: 'fw.profiles',
  remoteDesktopUsers: 'group.remoteDesktopUsers',
  administrators: 'group.administrators',
  tcpListeners: 'net.tcpListeners',
  ipAddresses: 'net.ipAddresses',
  events: {
    rcmSystem: 'evt.rcmSystem',
    schannel: 'evt.schannel',
    termdd: 'evt.termdd',
    scm: 'evt.scm',
    rcmOperational: 'evt.rcmOperational',
    rcmAdmin: 'evt.rcmAdmin',
    rdpCoreTs: 'evt.rdpCoreTs',
    lsm: 'evt.lsm',
    failedLogons: 'evt.failedLogons',
  },
  machineKeysAcl: 'file.machineKeys',
  os: 'os',
  sessions: 'sessions',
} as const;

export type EventQueryName = keyof typeof READ_IDS.events;

interface EventQuery {
  log: string;
  providers: string[];
  ids: number[];
  max: number;
}

/** The event queries of evt-scan (rdp-checks.md §3.I), by provider and id, never message text. */
export const EVENT_QUERIES: Record<EventQueryName, EventQuery> = {
  rcmSystem: { log: 'System', providers: [RCM], ids: [1057, 1058], max: 50 },
  schannel: { log: 'System', providers: ['Schannel'], ids: [36870, 36871, 36874, 36887, 36888], max: 100 },
  termdd: { log: 'System', providers: ['TermDD'], ids: [50, 56], max: 100 },
  scm: { log: 'System', providers: ['Service Control Manager'], ids: [7022, 7023, 7024, 7031, 7034], max: 100 },
  rcmOperational: {
    log: `${RCM}/Operational`,
    providers: [RCM],
    ids: [258, 259, 261, 1035, 1036, 1050, 1051, 1052, 1053, 1054, 1055, 1063, 1065, 1149],
    max: 200,
  },
  rcmAdmin: { log: `${RCM}/Admin`, providers: [RCM], ids: [1006], max: 50 },
  rdpCoreTs: {
    log: 'Microsoft-Windows-RemoteDesktopServices-RdpCoreTS/Operational',
    providers: ['Microsoft-Windows-RemoteDesktopServices-RdpCoreTS'],
    ids: [97, 98, 99, 131, 140],
    max: 200,
  },
  lsm: {
    log: 'Microsoft-Windows-TerminalServices-LocalSessionManager/Operational',
    providers: ['Microsoft-Windows-TerminalServices-LocalSessionManager'],
    ids: [21, 23, 24, 25, 40],
    max: 100,
  },
  failedLogons: { log: 'Security', providers: ['Microsoft-Windows-Security-Auditing'], ids: [4625], max: 200 },
};

export const MACHINE_KEYS_PATH = '%ProgramData%\\Microsoft\\Crypto\\RSA\\MachineKeys';
export const RDP_FIREWALL_GROUP = '@FirewallAPI.dll,-28752';

export interface ReadPlanOptions {
  /** Only list TCP listeners on this port (default: every listener, so a changed PortNumber is still seen). */
  rdpPort?: number;
  /** How far back the event queries look (default 24 h). */
  sinceMinutes?: number;
  /** Bounds on the host (default: PlanLimits' defaults). */
  limits?: Partial<PlanLimits>;
}

export function buildReadPlan(opts: ReadPlanOptions = {}): Plan {
  const sinceMinutes = opts.sinceMinutes ?? 24 * 60;
  const regKey = (id: string, path: string): Operation => ({ id, op: 'reg.key', path });
  const regValue = (id: string, path: string, name: string): Operation => ({ id, op: 'reg.value', path, name });
  const tsCim = (id: string, className: string, filter?: string): Operation => ({
    id,
    op: 'cim.query',
    namespace: TS_NAMESPACE,
    className,
    ...(filter ? { filter } : {}),
  });
  const rdpTcp = "TerminalName='RDP-Tcp'";

  const ops: Operation[] = [
    { id: READ_IDS.os, op: 'os.info' },
    regKey(READ_IDS.terminalServer, REGISTRY_PATHS.terminalServer),
    regKey(READ_IDS.winStations, REGISTRY_PATHS.winStations),
    regKey(READ_IDS.rdpTcp, REGISTRY_PATHS.rdpTcp),
    regKey(READ_IDS.tsPolicy, REGISTRY_PATHS.tsPolicy),
    regKey(READ_IDS.termServiceKey, 'HKLM:\\SYSTEM\\CurrentControlSet\\Services\\TermService'),
    ...SCHANNEL_PROTOCOLS.map((p) => regKey(READ_IDS.schannel[p], `${SCHANNEL}\\${p}\\Server`)),
    regValue(READ_IDS.winStationsDisabled, 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon', 'WinStationsDisabled'),
    regValue(READ_IDS.setupInProgress, 'HKLM:\\SYSTEM\\Setup', 'SystemSetupInProgress'),
    regValue(READ_IDS.oobeInProgress, 'HKLM:\\SYSTEM\\Setup', 'OOBEInProgress'),
    regValue(READ_IDS.fipsAlgorithmPolicy, `${LSA}\\FIPSAlgorithmPolicy`, 'Enabled'),
    regValue(READ_IDS.disableDomainCreds, LSA, 'disabledomaincreds'),
    regValue(
      READ_IDS.credSspOracle,
      'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\CredSSP\\Parameters',
      'AllowEncryptionOracle',
    ),
    regValue(READ_IDS.cipherSuitePolicy, 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Cryptography\\Configuration\\SSL\\00010002', 'Functions'),
    regValue(READ_IDS.programDataProfile, 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList', 'ProgramData'),
    ...RDP_SERVICES.map((name): Operation => ({ id: READ_IDS.services[name], op: 'service.get', name })),
    tsCim(READ_IDS.tsSetting, 'Win32_TerminalServiceSetting'),
    tsCim(READ_IDS.tsGeneral, 'Win32_TSGeneralSetting', rdpTcp),
    tsCim(READ_IDS.tsTerminal, 'Win32_Terminal', rdpTcp),
    tsCim(READ_IDS.tsAccounts, 'Win32_TSAccount', rdpTcp),
    tsCim(READ_IDS.tsNetworkAdapter, 'Win32_TSNetworkAdapterSetting', rdpTcp),
    { id: READ_IDS.certsRemoteDesktop, op: 'cert.list', store: 'Remote Desktop' },
    { id: READ_IDS.certsMy, op: 'cert.list', store: 'My' },
    // The built-in group, plus every rule for the RDP port: custom allow rules and Block rules.
    { id: READ_IDS.firewallRules, op: 'fw.rules', group: RDP_FIREWALL_GROUP, port: opts.rdpPort ?? 3389 },
    { id: READ_IDS.firewallProfiles, op: 'fw.profiles' },
    { id: READ_IDS.remoteDesktopUsers, op: 'group.members', sid: 'S-1-5-32-555' },
    { id: READ_IDS.administrators, op: 'group.members', sid: 'S-1-5-32-544' },
    { id: READ_IDS.tcpListeners, op: 'tcp.listeners', ...(opts.rdpPort !== undefined ? { port: opts.rdpPort } : {}) },
    { id: READ_IDS.ipAddresses, op: 'ip.addresses' },
    ...(Object.keys(EVENT_QUERIES) as EventQueryName[]).map((name): Operation => {
      const q = EVENT_QUERIES[name];
      return eventsQueryOp({ id: READ_IDS.events[name], log: q.log, providers: q.providers, ids: q.ids, sinceMinutes, max: q.max });
    }),
    { id: READ_IDS.machineKeysAcl, op: 'file.acl', path: MACHINE_KEYS_PATH },
    { id: READ_IDS.sessions, op: 'rdp.sessions' },
  ];
  return Plan.parse({ version: PLAN_VERSION, mode: 'read', ...(opts.limits ? { limits: opts.limits } : {}), ops });
}

// ---------- facts ----------

/** Missing evidence, explicit: the op failed, was absent, or returned a value of the wrong shape. */
export interface FactError {
  error: OpError;
}
export type Fact<T> = T | FactError;

export function isFactError<T>(fact: Fact<T>): fact is FactError {
  return typeof fact === 'object' && fact !== null && !Array.isArray(fact) && 'error' in fact && Object.keys(fact).length === 1;
}

type RegKey = ReadValueOf<'reg.key'>;
type RegValue = ReadValueOf<'reg.value'>;
type Cim = ReadValueOf<'cim.query'>;
type Events = ReadValueOf<'events.query'>;

export interface HostFacts {
  host: string;
  runtime: string;
  os: Fact<ReadValueOf<'os.info'>>;
  terminalServer: Fact<RegKey>;
  winStations: Fact<RegKey>;
  rdpTcp: Fact<RegKey>;
  tsPolicy: Fact<RegKey>;
  termServiceKey: Fact<RegKey>;
  schannel: Record<SchannelProtocol, Fact<RegKey>>;
  winStationsDisabled: Fact<RegValue>;
  setupInProgress: Fact<RegValue>;
  oobeInProgress: Fact<RegValue>;
  fipsAlgorithmPolicy: Fact<RegValue>;
  disableDomainCreds: Fact<RegValue>;
  credSspOracle: Fact<RegValue>;
  cipherSuitePolicy: Fact<RegValue>;
  programDataProfile: Fact<RegValue>;
  services: Record<RdpServiceName, Fact<ReadValueOf<'service.get'>>>;
  tsSetting: Fact<Cim>;
  tsGeneral: Fact<Cim>;
  tsTerminal: Fact<Cim>;
  tsAccounts: Fact<Cim>;
  tsNetworkAdapter: Fact<Cim>;
  certsRemoteDesktop: Fact<ReadValueOf<'cert.list'>>;
  certsMy: Fact<ReadValueOf<'cert.list'>>;
  firewallRules: Fact<ReadValueOf<'fw.rules'>>;
  firewallProfiles: Fact<ReadValueOf<'fw.profiles'>>;
  remoteDesktopUsers: Fact<ReadValueOf<'group.members'>>;
  administrators: Fact<ReadValueOf<'group.members'>>;
  tcpListeners: Fact<ReadValueOf<'tcp.listeners'>>;
  ipAddresses: Fact<ReadValueOf<'ip.addresses'>>;
  events: Record<EventQueryName, Fact<Events>>;
  machineKeysAcl: Fact<ReadValueOf<'file.acl'>>;
  sessions: Fact<ReadValueOf<'rdp.sessions'>>;
}

/** One fact from a plan result: the validated value, or the reason there is none. */
export function factOf<K extends ReadOpName>(result: PlanResult, id: string, op: K): Fact<ReadValueOf<K>> {
  const r = result.results.find((x) => x.id === id);
  if (!r) return { error: { code: 'Failed', message: `no result for op ${id}` } };
  if (!r.ok) return { error: r.error };
  const parsed = ReadValue[op].safeParse(r.value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'unknown';
    return { error: { code: 'Failed', message: `value of op ${id} does not match the ${op} schema (${where})` } };
  }
  return parsed.data as ReadValueOf<K>;
}

function mapRecord<K extends string, V>(keys: readonly K[], f: (k: K) => V): Record<K, V> {
  return Object.fromEntries(keys.map((k) => [k, f(k)])) as Record<K, V>;
}

export function readPlanFacts(result: PlanResult): HostFacts {
  const key = (id: string) => factOf(result, id, 'reg.key');
  const value = (id: string) => factOf(result, id, 'reg.value');
  const cim = (id: string) => factOf(result, id, 'cim.query');
  return {
    host: result.host,
    runtime: result.runtime,
    os: factOf(result, READ_IDS.os, 'os.info'),
    terminalServer: key(READ_IDS.terminalServer),
    winStations: key(READ_IDS.winStations),
    rdpTcp: key(READ_IDS.rdpTcp),
    tsPolicy: key(READ_IDS.tsPolicy),
    termServiceKey: key(READ_IDS.termServiceKey),
    schannel: mapRecord(SCHANNEL_PROTOCOLS, (p) => key(READ_IDS.schannel[p])),
    winStationsDisabled: value(READ_IDS.winStationsDisabled),
    setupInProgress: value(READ_IDS.setupInProgress),
    oobeInProgress: value(READ_IDS.oobeInProgress),
    fipsAlgorithmPolicy: value(READ_IDS.fipsAlgorithmPolicy),
    disableDomainCreds: value(READ_IDS.disableDomainCreds),
    credSspOracle: value(READ_IDS.credSspOracle),
    cipherSuitePolicy: value(READ_IDS.cipherSuitePolicy),
    programDataProfile: value(READ_IDS.programDataProfile),
    services: mapRecord(RDP_SERVICES, (s) => factOf(result, READ_IDS.services[s], 'service.get')),
    tsSetting: cim(READ_IDS.tsSetting),
    tsGeneral: cim(READ_IDS.tsGeneral),
    tsTerminal: cim(READ_IDS.tsTerminal),
    tsAccounts: cim(READ_IDS.tsAccounts),
    tsNetworkAdapter: cim(READ_IDS.tsNetworkAdapter),
    certsRemoteDesktop: factOf(result, READ_IDS.certsRemoteDesktop, 'cert.list'),
    certsMy: factOf(result, READ_IDS.certsMy, 'cert.list'),
    firewallRules: factOf(result, READ_IDS.firewallRules, 'fw.rules'),
    firewallProfiles: factOf(result, READ_IDS.firewallProfiles, 'fw.profiles'),
    remoteDesktopUsers: factOf(result, READ_IDS.remoteDesktopUsers, 'group.members'),
    administrators: factOf(result, READ_IDS.administrators, 'group.members'),
    tcpListeners: factOf(result, READ_IDS.tcpListeners, 'tcp.listeners'),
    ipAddresses: factOf(result, READ_IDS.ipAddresses, 'ip.addresses'),
    events: mapRecord(Object.keys(EVENT_QUERIES) as EventQueryName[], (e) => factOf(result, READ_IDS.events[e], 'events.query')),
    machineKeysAcl: factOf(result, READ_IDS.machineKeysAcl, 'file.acl'),
    sessions: factOf(result, READ_IDS.sessions, 'rdp.sessions'),
  };
}
