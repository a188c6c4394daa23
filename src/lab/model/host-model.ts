// The simulated Windows host as plain, JSON-serialisable data: tests deep-compare snapshots before
// and after a plan, and scenarios are just edits of this structure. Derived facts (TCP listeners,
// the listener session, effective policy values) are computed on read, never stored twice.
import type {
  CertificateInfo,
  EventRecord,
  FileAcl,
  FirewallProfile,
  FirewallRule,
  GroupMember,
  IpAddress,
  OsInfo,
  RdpSession,
  RegistryRestore,
  RegistryData,
  RegistryKind,
  ServiceState,
  StartType,
  TcpListener,
} from '../../host/operations.ts';

export interface RegistryValue {
  name: string; // display case
  kind: RegistryKind;
  data: RegistryData; // DWord/QWord number, Binary lower-case hex, MultiString string[]
}

export interface RegistryKey {
  path: string; // canonical display form "HKLM:\SYSTEM\..."
  /** Keyed by lower-case value name ("" is the default value). */
  values: Record<string, RegistryValue>;
}

export interface ModelService {
  name: string;
  displayName: string;
  state: ServiceState;
  startType: StartType;
  delayedAutoStart: boolean;
  account: string | null;
  /** PID while running; stable per service so stop+start restores a snapshot exactly. */
  processId: number | null;
  serviceType: string; // "Share Process", "Own Process", "Kernel Driver"
  dependsOn: string[];
  /** Cannot be stopped (RpcSs and friends). */
  notStoppable?: boolean;
}

/**
 * A certificate with its key, as the store keeps it. `store` is implied by the container. Whether
 * TermService (NETWORK SERVICE) can read the key is the key file's ACL in HostModel.fileAcls
 * (rdp-cert.ts keyFileOf), as on Windows.
 */
export interface ModelCertificate extends Omit<CertificateInfo, 'store' | 'keyFile'> {
  certPem: string;
  keyPem: string | null;
}

export interface CertStore {
  name: string; // display case, e.g. "Remote Desktop"
  certs: ModelCertificate[];
}

/** A firewall rule plus what the schema does not carry: the program/service it is scoped to. */
export interface ModelFirewallRule extends FirewallRule {
  /** e.g. "%SystemRoot%\system32\RdpSa.exe"; null = any program. */
  program: string | null;
  /** Service short name the rule is scoped to (lower case), null = any. */
  service: string | null;
}

export interface LocalGroup {
  sid: string;
  name: string;
  members: GroupMember[];
}

export interface LocalUser {
  name: string;
  password: string;
  sid: string;
}

export interface ScheduledRevert {
  name: string;
  createdAt: string; // ISO
  dueAt: string; // ISO
  /** Registry values to put back when due, each only if it still holds what the fix wrote. */
  restore: RegistryRestore[];
}

export interface HostModel {
  computerName: string; // upper case NetBIOS name
  machineSid: string; // S-1-5-21-a-b-c, base of local account SIDs
  os: Omit<OsInfo, 'computerName' | 'utcNow'>;
  /** Keyed by lower-case canonical path. A key also exists implicitly when it has descendants. */
  registry: Record<string, RegistryKey>;
  /** Keyed by lower-case service name. */
  services: Record<string, ModelService>;
  /** Keyed by lower-case store name (LocalMachine stores only). */
  certStores: Record<string, CertStore>;
  firewall: { rules: ModelFirewallRule[]; profiles: FirewallProfile[] };
  /** Keyed by group SID (upper case "S-1-5-32-555"). */
  groups: Record<string, LocalGroup>;
  /** Local accounts, keyed by lower-case name. */
  users: Record<string, LocalUser>;
  ipAddresses: IpAddress[];
  events: EventRecord[];
  /** Keyed by lower-case path. Key files are kept unexpanded (%ProgramData%\Microsoft\Crypto\...). */
  fileAcls: Record<string, FileAcl>;
  /**
   * Lower-case CIM namespaces whose provider never answers (a hung WMI provider): every cim.query /
   * cim.invoke there times out. Default empty.
   */
  hungCimNamespaces: string[];
  /** PowerShell's language mode for the WinRM account (AppLocker/WDAC can force ConstrainedLanguage); default FullLanguage. */
  languageMode?: 'FullLanguage' | 'ConstrainedLanguage';
  /** Allow Remote Shell Access (Windows Remote Shell policy); false refuses every WinRS shell. Default true. */
  allowRemoteShellAccess?: boolean;
  /** User sessions (Services, Console, RDP-Tcp#n). The listener session is derived. */
  sessions: RdpSession[];
  /** Listening sockets of things the model does not derive (System/HTTP.sys 5985, RpcSs 135, ...). */
  staticListeners: TcpListener[];
  /** Scheduled revert tasks, keyed by lower-case name. */
  tasks: Record<string, ScheduledRevert>;
}

export type { RegistryKind, RegistryData };
