// The CIM classes the lab serves, computed from the model on every query.
//
// Convention (rdp-checks.md sec-layer-nla): Win32_TSGeneralSetting.SecurityLayer is reported in the
// registry numbering 0 = RDP, 1 = Negotiate, 2 = SSL/TLS -- the numbering SetSecurityLayer takes and
// the registry stores -- not the 1/2/3 the property documentation lists. One numbering everywhere
// means a captured SecurityLayer can be passed straight back to SetSecurityLayer as an undo.
import type { HostModel } from '../../host-model.ts';
import { effDeny, effMinEncryption, effSecurityLayer, effUserAuth, listenerUp, selectedCertificate } from '../../effective.ts';
import { RDP_TCP, TS } from '../../paths.ts';
import { getNumber, getValue } from '../../registry.ts';

export type Instance = Record<string, unknown>;

const NAMESPACES: Record<string, string> = { 'root\\cimv2': 'root\\cimv2', 'root\\cimv2\\terminalservices': 'root\\cimv2\\TerminalServices' };

export const canonicalNamespace = (ns: string): string | undefined => NAMESPACES[ns.replace(/\//g, '\\').replace(/^\\+/, '').toLowerCase()];

const START_MODE: Record<string, string> = { Automatic: 'Auto', Manual: 'Manual', Disabled: 'Disabled', Boot: 'Boot', System: 'System' };

function terminalServiceSetting(m: HostModel): Instance {
  const deny = effDeny(m);
  return {
    ServerName: m.computerName,
    TerminalServerMode: 0, // remote administration (no RDSH role)
    AllowTSConnections: deny.value === 0 ? 1 : 0,
    PolicySourceAllowTSConnections: deny.source === 1 ? 1 : 0,
    SingleSession: getNumber(m, TS, 'fSingleSessionPerUser') ?? 1,
    LicensingType: 5,
  };
}

function tsGeneralSetting(m: HostModel): Instance {
  const sl = effSecurityLayer(m);
  const ua = effUserAuth(m);
  const enc = effMinEncryption(m);
  const sel = selectedCertificate(m);
  const custom = getValue(m, RDP_TCP, 'SSLCertificateSHA1Hash') !== undefined;
  return {
    TerminalName: 'RDP-Tcp',
    TerminalProtocol: 'Microsoft RDP 8.0',
    Transport: 'tcp',
    Comment: '',
    SecurityLayer: sl.value,
    PolicySourceSecurityLayer: sl.source,
    UserAuthenticationRequired: ua.value === 0 ? 0 : 1,
    PolicySourceUserAuthenticationRequired: ua.source,
    MinEncryptionLevel: enc.value,
    PolicySourceMinEncryptionLevel: enc.source,
    SSLCertificateSHA1Hash: sel?.cert.thumbprint ?? null,
    SSLCertificateSHA1HashType: sel ? (custom && sel.hashType === 3 ? 3 : 1) : 0,
    PolicySourceSSLCertificateSHA1Hash: 0,
    CertificateName: sel ? sel.cert.subject.replace(/^CN=/, '') : '',
    WindowsAuthentication: 0,
  };
}

function terminal(m: HostModel): Instance {
  return { TerminalName: 'RDP-Tcp', fEnableTerminal: (getNumber(m, RDP_TCP, 'fEnableWinStation') ?? 1) === 0 ? 0 : 1, Listening: listenerUp(m) };
}

function computerSystem(m: HostModel): Instance {
  return {
    Name: m.computerName, DNSHostName: m.computerName.toLowerCase(), Domain: m.os.domain ?? 'WORKGROUP', PartOfDomain: m.os.partOfDomain,
    Workgroup: m.os.partOfDomain ? null : m.os.domain, DomainRole: m.os.partOfDomain ? 3 : 2, Manufacturer: 'rdp-medic lab', Model: 'Simulated Host',
    TotalPhysicalMemory: 8589934592,
  };
}

function operatingSystem(m: HostModel, now: Date): Instance {
  return {
    CSName: m.computerName, Caption: m.os.caption, Version: m.os.version, BuildNumber: m.os.buildNumber, ProductType: m.os.productType,
    OSArchitecture: '64-bit', LastBootUpTime: m.os.lastBootUpTime, LocalDateTime: now.toISOString(),
  };
}

function services(m: HostModel): Instance[] {
  return Object.values(m.services)
    .filter((s) => !s.serviceType.includes('Driver'))
    .map((s) => ({
      Name: s.name, DisplayName: s.displayName, State: s.state, StartMode: START_MODE[s.startType] ?? s.startType, DelayedAutoStart: s.delayedAutoStart,
      StartName: s.account, ProcessId: s.processId ?? 0, ServiceType: s.serviceType, Started: s.state === 'Running', ExitCode: 0, ServiceSpecificExitCode: 0,
      PathName: s.serviceType === 'Share Process' ? 'C:\\Windows\\System32\\svchost.exe -k netsvcs' : `C:\\Windows\\System32\\${s.name}.exe`,
    }));
}

/** Instances of a class, or undefined when the class does not exist in that namespace. */
export function instancesOf(m: HostModel, namespace: string, className: string, now: Date): Instance[] | undefined {
  const key = `${canonicalNamespace(namespace)?.toLowerCase()}:${className.toLowerCase()}`;
  switch (key) {
    case 'root\\cimv2\\terminalservices:win32_terminalservicesetting':
      return [terminalServiceSetting(m)];
    case 'root\\cimv2\\terminalservices:win32_tsgeneralsetting':
      return [tsGeneralSetting(m)];
    case 'root\\cimv2\\terminalservices:win32_terminal':
      return [terminal(m)];
    case 'root\\cimv2:win32_computersystem':
      return [computerSystem(m)];
    case 'root\\cimv2:win32_operatingsystem':
      return [operatingSystem(m, now)];
    case 'root\\cimv2:win32_service':
      return services(m);
    default:
      return undefined;
  }
}
