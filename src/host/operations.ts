// The plan language: typed operations that the PowerShell runtime executes on a Windows host
// and the lab executes against its host model. One schema, three readers (runtime, lab, checks),
// so a fact means the same thing wherever it is read. Names and value shapes are locale-free:
// SIDs, registry kinds, CIM property names, numeric states.
import { z } from 'zod';
import { describeCertificate, FileAcl, HostCertificate } from './certificates.ts';
import { HostGroupMembers, withPrincipalSources } from './principal-source.ts';

// Defined beside the code that reads them (one direction: this file imports them, never back).
export { AccessRule, CertificateInfo, FileAcl, HostCertificate } from './certificates.ts';
export { GroupMember, HostGroupMembers, PrincipalSource } from './principal-source.ts';

// ---------- shared value shapes ----------

export const RegistryKind = z.enum(['String', 'ExpandString', 'DWord', 'QWord', 'Binary', 'MultiString']);
export type RegistryKind = z.infer<typeof RegistryKind>;

/** Registry data as JSON: DWord/QWord as numbers (DWord unsigned 0..0xFFFFFFFF), Binary as lower-case hex, MultiString as string[]. */
export const RegistryData = z.union([z.string(), z.number(), z.array(z.string())]);
export type RegistryData = z.infer<typeof RegistryData>;

/** The state of one registry value: the undo record of registry writes, and their precondition. */
export const RegistryValueState = z.object({
  path: z.string(),
  name: z.string(),
  exists: z.boolean(),
  kind: RegistryKind.nullable(),
  data: RegistryData.nullable(),
});
export type RegistryValueState = z.infer<typeof RegistryValueState>;

export const ServiceState = z.enum(['Running', 'Stopped', 'StartPending', 'StopPending', 'Paused', 'PausePending', 'ContinuePending', 'Unknown']);
export const StartType = z.enum(['Boot', 'System', 'Automatic', 'Manual', 'Disabled']);
export type ServiceState = z.infer<typeof ServiceState>;
export type StartType = z.infer<typeof StartType>;

export const ServiceInfo = z.object({
  name: z.string(),
  exists: z.boolean(),
  state: ServiceState.nullable(),
  startType: StartType.nullable(),
  delayedAutoStart: z.boolean().nullable(),
  account: z.string().nullable(),
  processId: z.number().int().nullable(),
  /** Win32_Service.ServiceType, e.g. "Share Process" / "Own Process". */
  serviceType: z.string().nullable(),
  dependsOn: z.array(z.string()),
});
export type ServiceInfo = z.infer<typeof ServiceInfo>;

export const FirewallRule = z.object({
  name: z.string(), // locale-free rule id, e.g. RemoteDesktop-UserMode-In-TCP
  group: z.string().nullable(), // indirect string, e.g. @FirewallAPI.dll,-28752
  enabled: z.boolean(),
  direction: z.enum(['Inbound', 'Outbound']),
  action: z.enum(['Allow', 'Block']),
  profiles: z.array(z.enum(['Domain', 'Private', 'Public'])), // empty = Any
  protocol: z.string().nullable(), // "TCP", "UDP", "Any"
  localPorts: z.array(z.string()), // "3389", "Any", "RPC", ...
  remoteAddresses: z.array(z.string()), // "Any", "LocalSubnet", CIDRs
  policyStoreSourceType: z.enum(['Local', 'GroupPolicy', 'Dynamic', 'Generated', 'Hardcoded']).nullable(),
});
export type FirewallRule = z.infer<typeof FirewallRule>;

export const FirewallProfile = z.object({
  name: z.enum(['Domain', 'Private', 'Public']),
  enabled: z.boolean(),
  defaultInboundAction: z.enum(['Allow', 'Block', 'NotConfigured']),
  allowInboundRules: z.enum(['True', 'False', 'NotConfigured']),
  allowLocalFirewallRules: z.enum(['True', 'False', 'NotConfigured']),
  /** Is this profile active on some interface right now? */
  active: z.boolean(),
});
export type FirewallProfile = z.infer<typeof FirewallProfile>;

export const TcpListener = z.object({
  localAddress: z.string(),
  localPort: z.number().int(),
  owningProcess: z.number().int(),
  processName: z.string().nullable(),
  /** Service names hosted by that process (svchost), when known. */
  services: z.array(z.string()),
});
export type TcpListener = z.infer<typeof TcpListener>;

export const IpAddress = z.object({
  address: z.string(),
  family: z.enum(['IPv4', 'IPv6']),
  prefixLength: z.number().int(),
  interfaceAlias: z.string(),
});
export type IpAddress = z.infer<typeof IpAddress>;

export const EventRecord = z.object({
  log: z.string(),
  provider: z.string(),
  id: z.number().int(),
  level: z.number().int(), // 1 critical, 2 error, 3 warning, 4 information
  timeCreated: z.string(), // ISO 8601 UTC
  /** Event data properties, untranslated; message text is deliberately not returned. */
  properties: z.array(z.string()),
});
export type EventRecord = z.infer<typeof EventRecord>;

export const OsInfo = z.object({
  computerName: z.string(),
  domain: z.string().nullable(),
  partOfDomain: z.boolean(),
  caption: z.string(),
  version: z.string(), // "10.0.20348"
  buildNumber: z.string(),
  editionId: z.string(), // "ServerStandard", "Professional", "Core" (Home)
  productType: z.number().int(), // 1 workstation, 2 domain controller, 3 server
  installationType: z.string().nullable(), // "Server", "Server Core", "Client"
  machineGuid: z.string().nullable(),
  lastBootUpTime: z.string().nullable(),
  utcNow: z.string(),
});
export type OsInfo = z.infer<typeof OsInfo>;

export const RdpSession = z.object({
  id: z.number().int(),
  winStation: z.string(), // "RDP-Tcp#3", "Console", "Services"
  user: z.string().nullable(), // DOMAIN\user; display only
  /** WTS_CONNECTSTATE_CLASS as a number: 0 Active, 1 Connected, 4 Disconnected, 6 Listen, ... */
  state: z.number().int(),
  clientName: z.string().nullable(),
});
export type RdpSession = z.infer<typeof RdpSession>;

export const CimInstance = z.record(z.string(), z.unknown());

// ---------- operations ----------

const opBase = { id: z.string().min(1).max(64) };

// Reads
export const RegValueOp = z.object({ ...opBase, op: z.literal('reg.value'), path: z.string(), name: z.string() });
export const RegKeyOp = z.object({ ...opBase, op: z.literal('reg.key'), path: z.string() });
export const ServiceOp = z.object({ ...opBase, op: z.literal('service.get'), name: z.string() });
export const CimQueryOp = z.object({
  ...opBase,
  op: z.literal('cim.query'),
  namespace: z.string(),
  className: z.string(),
  /** WQL WHERE clause, e.g. "TerminalName='RDP-Tcp'". */
  filter: z.string().optional(),
  properties: z.array(z.string()).optional(),
});
export const CertListOp = z.object({ ...opBase, op: z.literal('cert.list'), store: z.string() });
/** Rules of a group, by name and/or by local TCP port (custom rules and Block rules for the RDP port); none of the three: every rule. */
export const FwRulesOp = z.object({
  ...opBase,
  op: z.literal('fw.rules'),
  group: z.string().optional(),
  names: z.array(z.string()).optional(),
  port: z.number().int().min(1).max(65535).optional(),
});
export const FwProfilesOp = z.object({ ...opBase, op: z.literal('fw.profiles') });
export const GroupMembersOp = z.object({ ...opBase, op: z.literal('group.members'), sid: z.string() });
export const TcpListenersOp = z.object({ ...opBase, op: z.literal('tcp.listeners'), port: z.number().int().optional() });
export const IpAddressesOp = z.object({ ...opBase, op: z.literal('ip.addresses') });
/**
 * Events by provider and id. `xpaths` are built from the other fields in TypeScript (event-xpath.ts:
 * the event log rejects XPath with too many terms, so ids come in chunks); the runtime runs them
 * as given, newest first, bounded by `max` and the plan's eventTimeoutSec.
 */
export const EventsOp = z.object({
  ...opBase,
  op: z.literal('events.query'),
  log: z.string(),
  providers: z.array(z.string()),
  ids: z.array(z.number().int()).optional(),
  sinceMinutes: z.number().int().positive(),
  max: z.number().int().positive().max(500),
  xpaths: z.array(z.string().max(4000)).min(1).max(20),
});
export const FileAclOp = z.object({ ...opBase, op: z.literal('file.acl'), path: z.string() });
export const OsOp = z.object({ ...opBase, op: z.literal('os.info') });
export const SessionsOp = z.object({ ...opBase, op: z.literal('rdp.sessions') });

// Writes: each carries the state it expects to find (compare-and-set) and returns the previous state.
export const RegSetOp = z.object({
  ...opBase,
  op: z.literal('reg.set'),
  path: z.string(),
  name: z.string(),
  kind: RegistryKind,
  data: RegistryData,
  expect: RegistryValueState.omit({ path: true, name: true }).optional(),
});
export const RegDeleteOp = z.object({
  ...opBase,
  op: z.literal('reg.delete'),
  path: z.string(),
  name: z.string(),
  expect: RegistryValueState.omit({ path: true, name: true }).optional(),
});
/** start or stop; a restart is two steps (stop, start) plus the dependents to start again, built in TypeScript. */
export const ServiceControlOp = z.object({
  ...opBase,
  op: z.literal('service.control'),
  name: z.string(),
  action: z.enum(['start', 'stop']),
  expectState: ServiceState.optional(),
  /** Seconds to wait for the target state. */
  timeoutSec: z.number().int().positive().max(300).default(60),
});
export const ServiceStartTypeOp = z.object({
  ...opBase,
  op: z.literal('service.startType'),
  name: z.string(),
  startType: StartType,
  expectStartType: StartType.optional(),
});
export const FwEnableOp = z.object({
  ...opBase,
  op: z.literal('fw.enable'),
  names: z.array(z.string()).min(1),
  enabled: z.boolean(),
  /** Expected current Enabled of each named rule. */
  expect: z.record(z.string(), z.boolean()).optional(),
});
export const CertRemoveOp = z.object({ ...opBase, op: z.literal('cert.remove'), store: z.string(), thumbprint: z.string() });
/** Moves a certificate (and its key association) between LocalMachine stores: a removal that can be undone exactly. */
export const CertMoveOp = z.object({
  ...opBase,
  op: z.literal('cert.move'),
  fromStore: z.string(),
  toStore: z.string(),
  thumbprint: z.string(),
});
export const GroupAddOp = z.object({
  ...opBase,
  op: z.literal('group.add'),
  groupSid: z.string(),
  /** A SID (S-1-...) or an account name (DOMAIN\user). */
  member: z.string(),
});
export const GroupRemoveOp = z.object({ ...opBase, op: z.literal('group.remove'), groupSid: z.string(), member: z.string() });
export const CimInvokeOp = z.object({
  ...opBase,
  op: z.literal('cim.invoke'),
  namespace: z.string(),
  className: z.string(),
  filter: z.string().optional(),
  method: z.string(),
  args: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** Property values the instance must have before the call (compare-and-set). */
  expect: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
  /** Properties to capture before the call (the undo record). */
  capture: z.array(z.string()).optional(),
});
/**
 * One registry value the revert task puts back, only if it still holds what the change wrote
 * (`wrote: null`: the change deleted the value, so it is put back only while still absent).
 */
export const RegistryRestore = z.object({
  path: z.string(),
  name: z.string(),
  wrote: z.object({ kind: RegistryKind, data: RegistryData }).nullable(),
  previous: RegistryValueState.omit({ path: true, name: true }),
});
export type RegistryRestore = z.infer<typeof RegistryRestore>;

/**
 * A one-shot task (\rdp-medic\<name>, as S-1-5-18) that runs a small dedicated revert script after
 * `afterMinutes` unless cancelled first: for each value, if it still holds `wrote`, it is set back to
 * `previous` (or deleted when it did not exist). A value someone changed since is left alone.
 */
export const RevertTaskOp = z.object({
  ...opBase,
  op: z.literal('task.scheduleRevert'),
  /** Task name (under \rdp-medic\); also the handle to cancel it. */
  name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
  afterMinutes: z.number().int().min(1).max(24 * 60),
  restore: z.array(RegistryRestore).min(1).max(20),
});
export const CancelTaskOp = z.object({ ...opBase, op: z.literal('task.cancel'), name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) });

export const Operation = z.discriminatedUnion('op', [
  RegValueOp,
  RegKeyOp,
  ServiceOp,
  CimQueryOp,
  CertListOp,
  FwRulesOp,
  FwProfilesOp,
  GroupMembersOp,
  TcpListenersOp,
  IpAddressesOp,
  EventsOp,
  FileAclOp,
  OsOp,
  SessionsOp,
  RegSetOp,
  RegDeleteOp,
  ServiceControlOp,
  ServiceStartTypeOp,
  FwEnableOp,
  CertRemoveOp,
  CertMoveOp,
  GroupAddOp,
  GroupRemoveOp,
  CimInvokeOp,
  RevertTaskOp,
  CancelTaskOp,
]);
export type Operation = z.infer<typeof Operation>;
export type OperationName = Operation['op'];

export const PLAN_VERSION = 2;

/** Bounds a plan runs under on the host, so one hung provider cannot cost the other facts. */
export const PlanLimits = z.object({
  /** Each CIM call (-OperationTimeoutSec); after one times out, the rest of that namespace is skipped. */
  cimTimeoutSec: z.number().int().min(1).max(120).default(15),
  /** Each event query (EventLogReader.ReadEvent timeout). */
  eventTimeoutSec: z.number().int().min(1).max(120).default(15),
  /** The whole plan: operations not started by then report Timeout. Below the WinRM command timeout. */
  budgetSec: z.number().int().min(1).max(600).default(90),
});
export type PlanLimits = z.infer<typeof PlanLimits>;

export const Plan = z.object({
  version: z.literal(PLAN_VERSION),
  /** Read-only plans are refused by the runtime if they contain a write. */
  mode: z.enum(['read', 'write']),
  /**
   * Check mode (Ansible's): a write plan evaluates every precondition and reports what it would
   * change (`previous` = now, `value` = what it would leave), changing nothing.
   */
  check: z.boolean().default(false),
  limits: PlanLimits.default({ cimTimeoutSec: 15, eventTimeoutSec: 15, budgetSec: 90 }),
  ops: z.array(Operation).min(1).max(200),
});
/** A plan as sent (defaults applied). */
export type Plan = z.output<typeof Plan>;
/** A plan as written by a builder (defaults may be left out). */
export type PlanInput = z.input<typeof Plan>;

export const WRITE_OPS = new Set<OperationName>([
  'reg.set',
  'reg.delete',
  'service.control',
  'service.startType',
  'fw.enable',
  'cert.remove',
  'cert.move',
  'group.add',
  'group.remove',
  'cim.invoke',
  'task.scheduleRevert',
  'task.cancel',
]);

// ---------- results ----------

/** Error codes a runtime (or the lab) reports per operation. */
export const OpErrorCode = z.enum([
  'NotFound', // the key, service, store, group... does not exist
  'AccessDenied',
  'PreconditionFailed', // compare-and-set: the host changed since the diagnosis
  'InvalidArgument',
  'Timeout', // e.g. a service did not reach the state in time
  'NotSupported', // cmdlet/class missing on this OS
  'NotRun', // a write plan stopped at an earlier failed operation; this one was not attempted
  'Failed', // anything else
]);
export type OpErrorCode = z.infer<typeof OpErrorCode>;

export const OpError = z.object({ code: OpErrorCode, message: z.string(), current: z.unknown().optional() });
export type OpError = z.infer<typeof OpError>;

export const OpResult = z.discriminatedUnion('ok', [
  z.object({ id: z.string(), ok: z.literal(true), value: z.unknown(), previous: z.unknown().optional() }),
  z.object({ id: z.string(), ok: z.literal(false), error: OpError }),
]);
export type OpResult = z.infer<typeof OpResult>;

export const PlanResult = z.object({
  runtime: z.string(), // runtime version that produced it
  host: z.string(), // $env:COMPUTERNAME
  startedAt: z.string(),
  elapsedMs: z.number(),
  /** True when the plan ran in check mode (nothing was changed). */
  check: z.boolean().default(false),
  results: z.array(OpResult),
});
export type PlanResult = z.infer<typeof PlanResult>;

/** Value schema of each read operation's result, for typed access by the checks. */
export const ReadValue = {
  'reg.value': RegistryValueState,
  'reg.key': z.object({
    path: z.string(),
    exists: z.boolean(),
    values: z.array(z.object({ name: z.string(), kind: RegistryKind, data: RegistryData })),
    subkeys: z.array(z.string()),
  }),
  'service.get': ServiceInfo,
  'cim.query': z.array(CimInstance),
  'cert.list': z.array(HostCertificate).transform((list) => list.map(describeCertificate)),
  'fw.rules': z.array(FirewallRule),
  'fw.profiles': z.array(FirewallProfile),
  'group.members': HostGroupMembers.transform(withPrincipalSources),
  'tcp.listeners': z.array(TcpListener),
  'ip.addresses': z.array(IpAddress),
  'events.query': z.array(EventRecord),
  'file.acl': FileAcl,
  'os.info': OsInfo,
  'rdp.sessions': z.array(RdpSession),
} as const;
export type ReadOpName = keyof typeof ReadValue;
export type ReadValueOf<K extends ReadOpName> = z.infer<(typeof ReadValue)[K]>;

/**
 * What each write returns as `previous` (the undo record):
 * reg.set / reg.delete: RegistryValueState;  service.control: { state };  service.startType: { startType };
 * fw.enable: Record<name, boolean>;  cert.remove / cert.move: HostCertificate (undo a removal by moving, not re-importing);
 * group.add / group.remove: { wasMember: boolean };  cim.invoke: Record<captured property, value>;
 * task.scheduleRevert: { existed: boolean };  task.cancel: { existed: boolean }.
 * `value` of a write is the new state in the same shape (cim.invoke: { returnValue }); in check mode,
 * the state it would leave (cim.invoke: { returnValue: null }).
 */
export const WritePrevious = {
  'reg.set': RegistryValueState,
  'reg.delete': RegistryValueState,
  'service.control': z.object({ state: ServiceState }),
  'service.startType': z.object({ startType: StartType }),
  'fw.enable': z.record(z.string(), z.boolean()),
  'cert.remove': HostCertificate.transform(describeCertificate),
  'cert.move': HostCertificate.transform(describeCertificate),
  'group.add': z.object({ wasMember: z.boolean() }),
  'group.remove': z.object({ wasMember: z.boolean() }),
  'cim.invoke': z.record(z.string(), z.unknown()),
  'task.scheduleRevert': z.object({ existed: z.boolean() }),
  'task.cancel': z.object({ existed: z.boolean() }),
} as const;
