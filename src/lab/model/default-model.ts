// A healthy Windows Server 2022 Standard host, standalone (WORKGROUP), RDP enabled with NLA and TLS,
// the self-signed RDP certificate valid, the Remote Desktop firewall group on. Every scenario starts here.
import { createHash } from 'node:crypto';
import type { IpAddress, RegistryData, RegistryKind, TcpListener } from '../../host/operations.ts';
import { machineSidFor, SID } from './accounts.ts';
import type { HostModel, ModelFirewallRule, ModelService } from './host-model.ts';
import { CRYPTOGRAPHY, MACHINE_KEYS, POLICY, RDP_FIREWALL_GROUP, RDP_STORE, RDP_TCP, SCHANNEL_PROTOCOLS, TS, WINSTATIONS } from './paths.ts';
import { pidFor, SYSTEM_PID } from './pids.ts';
import { addKeyFile, FULL_CONTROL, newRdpCertificate, rdpKeyContainer, READ, WRITE } from './rdp-cert.ts';
import { ensureKey, setValue } from './registry.ts';

export interface HealthyModelOptions {
  computerName: string;
  /** Password of the local Administrator (and, unless rdpPassword is given, of the RDP user). */
  password: string;
  /** The host's own addresses (default 127.0.0.1, what the lab's DNS answers). */
  ipAddresses?: string[];
  /** The local account users connect with over RDP, member of Remote Desktop Users. */
  rdpUser?: string;
  rdpPassword?: string;
  now?: Date;
}

export const DEFAULT_RDP_USER = 'rdpuser';
const DAY = 86_400_000;

function guidFor(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type SvcSpec = [name: string, display: string, startType: ModelService['startType'], account: string | null, type: string, deps: string[], extra?: Partial<ModelService>];

const SERVICES: SvcSpec[] = [
  ['DcomLaunch', 'DCOM Server Process Launcher', 'Automatic', 'LocalSystem', 'Share Process', [], { notStoppable: true }],
  ['RpcEptMapper', 'RPC Endpoint Mapper', 'Automatic', 'NT AUTHORITY\\NetworkService', 'Share Process', [], { notStoppable: true }],
  ['RpcSs', 'Remote Procedure Call (RPC)', 'Automatic', 'NT AUTHORITY\\NetworkService', 'Share Process', ['RpcEptMapper', 'DcomLaunch'], { notStoppable: true }],
  ['TermDD', 'Remote Desktop Device Redirector Bus Driver', 'System', null, 'Kernel Driver', []],
  ['RDPDR', 'Remote Desktop Device Redirector Driver', 'Manual', null, 'Kernel Driver', []],
  ['HTTP', 'HTTP Service', 'Manual', null, 'Kernel Driver', []],
  ['TermService', 'Remote Desktop Services', 'Manual', 'NT Authority\\NetworkService', 'Share Process', ['RPCSS', 'TermDD']],
  ['UmRdpService', 'Remote Desktop Services UserMode Port Redirector', 'Manual', 'localSystem', 'Share Process', ['TermService', 'RDPDR']],
  ['SessionEnv', 'Remote Desktop Configuration', 'Manual', 'localSystem', 'Share Process', ['RPCSS', 'LanmanWorkstation']],
  ['LanmanWorkstation', 'Workstation', 'Automatic', 'NT AUTHORITY\\NetworkService', 'Share Process', []],
  ['CryptSvc', 'Cryptographic Services', 'Automatic', 'NT Authority\\NetworkService', 'Share Process', ['RpcSs']],
  ['KeyIso', 'CNG Key Isolation', 'Manual', 'LocalSystem', 'Share Process', ['RpcSs']],
  ['CertPropSvc', 'Certificate Propagation', 'Manual', 'LocalSystem', 'Share Process', ['RpcSs']],
  ['WinRM', 'Windows Remote Management (WS-Management)', 'Automatic', 'NT AUTHORITY\\NetworkService', 'Share Process', ['RPCSS', 'HTTP']],
  ['BFE', 'Base Filtering Engine', 'Automatic', 'NT AUTHORITY\\LocalService', 'Share Process', ['RpcSs']],
  ['MpsSvc', 'Windows Defender Firewall', 'Automatic', 'NT Authority\\LocalService', 'Share Process', ['BFE']],
  ['gpsvc', 'Group Policy Client', 'Automatic', 'LocalSystem', 'Share Process', ['RPCSS']],
  ['EventLog', 'Windows Event Log', 'Automatic', 'NT AUTHORITY\\LocalService', 'Share Process', []],
  ['Schedule', 'Task Scheduler', 'Automatic', 'LocalSystem', 'Share Process', ['RPCSS']],
];

function services(): Record<string, ModelService> {
  const out: Record<string, ModelService> = {};
  for (const [name, displayName, startType, account, serviceType, dependsOn, extra] of SERVICES) {
    const driver = serviceType === 'Kernel Driver';
    out[name.toLowerCase()] = {
      name, displayName, state: 'Running', startType, delayedAutoStart: false, account,
      processId: driver ? null : pidFor(name), serviceType, dependsOn, ...extra,
    };
  }
  return out;
}

function rdpRule(name: string, protocol: string, ports: string[], program: string, service: string | null): ModelFirewallRule {
  return {
    name, group: RDP_FIREWALL_GROUP, enabled: true, direction: 'Inbound', action: 'Allow', profiles: [],
    protocol, localPorts: ports, remoteAddresses: ['Any'], policyStoreSourceType: 'Local', program, service,
  };
}

function ipAddress(address: string): IpAddress {
  const v6 = address.includes(':');
  return { address, family: v6 ? 'IPv6' : 'IPv4', prefixLength: v6 ? 64 : address.startsWith('127.') ? 8 : 24, interfaceAlias: 'Ethernet' };
}

export const ipAddressesFrom = (addresses: string[]): IpAddress[] => addresses.map(ipAddress);

function listeners(): TcpListener[] {
  const rpc = pidFor('RpcSs');
  const sys = (port: number): TcpListener[] => ['0.0.0.0', '::'].map((localAddress) => ({ localAddress, localPort: port, owningProcess: SYSTEM_PID, processName: 'System', services: [] }));
  return [
    ...['0.0.0.0', '::'].map((localAddress) => ({ localAddress, localPort: 135, owningProcess: rpc, processName: 'svchost', services: ['RpcEptMapper', 'RpcSs'] })),
    ...sys(445),
    ...sys(5985),
    ...sys(47001),
  ];
}

export function defaultHealthyModel(opts: HealthyModelOptions): HostModel {
  const now = opts.now ?? new Date();
  const computerName = opts.computerName.toUpperCase();
  const machineSid = machineSidFor(computerName);
  const rdpUser = opts.rdpUser ?? DEFAULT_RDP_USER;
  const boot = new Date(now.getTime() - 3 * DAY);
  const m: HostModel = {
    computerName,
    machineSid,
    os: {
      domain: 'WORKGROUP', partOfDomain: false, caption: 'Microsoft Windows Server 2022 Standard', version: '10.0.20348',
      buildNumber: '20348', editionId: 'ServerStandard', productType: 3, installationType: 'Server',
      machineGuid: guidFor('machine-guid:' + computerName), lastBootUpTime: boot.toISOString(),
    },
    registry: {},
    services: services(),
    certStores: { my: { name: 'My', certs: [] }, root: { name: 'Root', certs: [] }, 'remote desktop': { name: RDP_STORE, certs: [] } },
    firewall: {
      rules: [
        rdpRule('RemoteDesktop-UserMode-In-TCP', 'TCP', ['3389'], '%SystemRoot%\\system32\\svchost.exe', 'termservice'),
        rdpRule('RemoteDesktop-UserMode-In-UDP', 'UDP', ['3389'], '%SystemRoot%\\system32\\svchost.exe', 'termservice'),
        rdpRule('RemoteDesktop-Shadow-In-TCP', 'TCP', ['Any'], '%SystemRoot%\\system32\\RdpSa.exe', null),
        {
          name: 'WINRM-HTTP-In-TCP', group: '@FirewallAPI.dll,-30267', enabled: true, direction: 'Inbound', action: 'Allow', profiles: ['Domain', 'Private'],
          protocol: 'TCP', localPorts: ['5985'], remoteAddresses: ['Any'], policyStoreSourceType: 'Local', program: 'System', service: null,
        },
      ],
      profiles: (['Domain', 'Private', 'Public'] as const).map((name) => ({
        name, enabled: true, defaultInboundAction: 'Block' as const, allowInboundRules: 'True' as const,
        allowLocalFirewallRules: 'NotConfigured' as const, active: name === 'Private',
      })),
    },
    groups: {},
    users: {
      administrator: { name: 'Administrator', password: opts.password, sid: `${machineSid}-500` },
      [rdpUser.toLowerCase()]: { name: rdpUser, password: opts.rdpPassword ?? opts.password, sid: `${machineSid}-1001` },
    },
    ipAddresses: ipAddressesFrom(opts.ipAddresses ?? ['127.0.0.1']),
    events: [
      { log: 'System', provider: 'EventLog', id: 6005, level: 4, timeCreated: boot.toISOString(), properties: [] },
      {
        log: 'Microsoft-Windows-TerminalServices-RemoteConnectionManager/Operational', provider: 'Microsoft-Windows-TerminalServices-RemoteConnectionManager',
        id: 258, level: 4, timeCreated: new Date(boot.getTime() + 60_000).toISOString(), properties: ['RDP-Tcp'],
      },
    ],
    fileAcls: {},
    hungCimNamespaces: [],
    sessions: [
      { id: 0, winStation: 'Services', user: null, state: 4, clientName: null },
      { id: 1, winStation: 'Console', user: null, state: 1, clientName: null },
    ],
    staticListeners: listeners(),
    tasks: {},
  };
  m.groups[SID.administrators] = { sid: SID.administrators, name: 'Administrators', members: [{ sid: `${machineSid}-500`, name: `${computerName}\\Administrator`, objectClass: 'User', principalSource: 'Local' }] };
  m.groups[SID.users] = {
    sid: SID.users, name: 'Users', members: [
      { sid: 'S-1-5-4', name: 'NT AUTHORITY\\INTERACTIVE', objectClass: 'Group', principalSource: 'Local' },
      { sid: 'S-1-5-11', name: 'NT AUTHORITY\\Authenticated Users', objectClass: 'Group', principalSource: 'Local' },
    ],
  };
  m.groups[SID.remoteDesktopUsers] = { sid: SID.remoteDesktopUsers, name: 'Remote Desktop Users', members: [{ sid: `${machineSid}-1001`, name: `${computerName}\\${rdpUser}`, objectClass: 'User', principalSource: 'Local' }] };

  const reg = (path: string, values: Array<[string, RegistryKind, RegistryData]>): void => {
    ensureKey(m, path);
    for (const [name, kind, data] of values) setValue(m, path, name, kind, data);
  };
  reg(TS, [['fDenyTSConnections', 'DWord', 0], ['TSUserEnabled', 'DWord', 0], ['fSingleSessionPerUser', 'DWord', 1]]);
  reg(WINSTATIONS, [['SelfSignedCertStore', 'String', RDP_STORE]]);
  reg(RDP_TCP, [
    ['PortNumber', 'DWord', 3389], ['SecurityLayer', 'DWord', 2], ['UserAuthentication', 'DWord', 1], ['MinEncryptionLevel', 'DWord', 2],
    ['fEnableWinStation', 'DWord', 1], ['fLogonDisabled', 'DWord', 0], ['MaxInstanceCount', 'DWord', 0xffffffff], ['LanAdapter', 'DWord', 0],
    ['PdName', 'String', 'tdtcp'], ['WdName', 'String', 'Microsoft RDP 8.0'], ['Comment', 'String', ''],
  ]);
  reg(`${WINSTATIONS}\\Console`, [['fEnableWinStation', 'DWord', 1]]);
  reg(POLICY, []);
  reg('HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion', [
    ['EditionID', 'String', 'ServerStandard'], ['ProductName', 'String', 'Windows Server 2022 Standard'], ['CurrentBuild', 'String', '20348'],
    ['InstallationType', 'String', 'Server'], ['DisplayVersion', 'String', '21H2'],
  ]);
  reg('HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon', [['WinStationsDisabled', 'String', '0']]);
  reg('HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion\\ProfileList', [['ProgramData', 'ExpandString', '%SystemDrive%\\ProgramData']]);
  reg('HKLM:\\SYSTEM\\Setup', [['SystemSetupInProgress', 'DWord', 0], ['OOBEInProgress', 'DWord', 0]]);
  reg(CRYPTOGRAPHY, [['MachineGuid', 'String', m.os.machineGuid ?? '']]);
  reg('HKLM:\\SYSTEM\\CurrentControlSet\\Control\\Lsa\\FIPSAlgorithmPolicy', [['Enabled', 'DWord', 0]]);
  reg(`${SCHANNEL_PROTOCOLS}\\SSL 2.0\\Client`, [['DisabledByDefault', 'DWord', 1]]);
  reg(`${SCHANNEL_PROTOCOLS}\\TLS 1.2\\Server`, [['Enabled', 'DWord', 1], ['DisabledByDefault', 'DWord', 0]]);

  // MachineKeys: Administrators full, Everyone read+write ([S3][S5]); the RDP key file as [S5] requires.
  m.fileAcls[MACHINE_KEYS.toLowerCase()] = {
    path: MACHINE_KEYS, exists: true, ownerSid: SID.system,
    access: [
      { sid: SID.administrators, rights: FULL_CONTROL, type: 'Allow', inherited: false },
      { sid: SID.everyone, rights: READ | WRITE, type: 'Allow', inherited: false },
    ],
  };
  addKeyFile(m, rdpKeyContainer(m));
  const notBefore = new Date(now.getTime() - 30 * DAY);
  m.certStores['remote desktop']?.certs.push(newRdpCertificate(m, now, { notBefore, notAfter: new Date(notBefore.getTime() + 182 * DAY) }));
  return m;
}
