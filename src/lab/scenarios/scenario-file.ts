// The scenario file format (YAML or JSON): a declarative patch on a base scenario, validated with
// zod. The built-in scenarios are written in it too (built-in.yaml, one document each), and so are
// user scenario files (rdp-medic lab --scenario FILE).
//
//   name: custom-port            # required
//   description: ...             # optional (required of built-ins)
//   base: healthy                # a scenario name or a list of them, applied in order (default healthy);
//                                # causes concatenate: the bases' first, then this file's. `base: []`
//                                # starts from the bare healthy model (only the built-in healthy does).
//                                # Built-ins may name the built-ins above them in built-in.yaml.
//   cause: [listener-port]       # rdp-checks.md check ids (optional)
//   fix: ...                     # the curing fix, op by op (optional; required of built-ins)
//   registry:
//     set:    [{ path: 'HKLM:\...\RDP-Tcp', name: PortNumber, kind: DWord, data: 3390 }]
//     delete: [{ path: 'HKLM:\...', name: fDenyTSConnections }]
//   services:     { TermService: { state: Stopped, startType: Disabled } }
//                 (state: Stopped stops the service as Stop-Service -Force does: its running
//                  dependents stop first, and stopping TermService ends the RDP sessions)
//   firewall:     { rules: { RemoteDesktop-UserMode-In-TCP: { enabled: false } },
//                   add: [{ name: Block-RDP, action: Block, protocol: TCP, localPorts: ['3389'] }],
//                   profiles: { Private: { allowInboundRules: 'False' } } }
//                 (add: new rules; unset fields default to enabled, Inbound, every profile, any
//                  protocol/port/address, the local store, any program and service)
//   groups:       { S-1-5-32-555: { add: ['CONTOSO\bob'], remove: ['rdpuser'], removeLocalUsers: true } }
//                 (removeLocalUsers: every local user account leaves the group)
//   certificates: { Remote Desktop: { expiredAt: '2026-10-01', keyReadable: false,
//                                     keyAcl: { set: [{ member: S-1-5-20, rights: 0x100080 }], remove: [S-1-5-32-544] } } }
//                 expiredAt: a date, or { date: '2026-10-01', atLeastDaysAgo: 30 }: that date when
//                   it is at least that many days before the lab clock, else the first of the month
//                   that many days before it (so the certificate has been expired a while whenever
//                   the lab runs); each certificate of the store is replaced by one valid for the six
//                   months before that date
//                 keyReadable: NETWORK SERVICE's read entry on each certificate's key file ACL
//                 keyAcl: edits of each certificate's key file ACL (after keyReadable); members are
//                   SIDs or names as in groups. set: that member's entries get these rights
//                   (FileSystemRights as a number), keeping their place and type; an Allow entry is
//                   added when it has none. remove: that member's entries go.
//   hungCimNamespaces: ['root\cimv2\TerminalServices']   # CIM providers that never answer
//   ipAddresses:  [10.99.0.5]
//   events:       [{ log: System, provider: Schannel, id: 36871, minutesAgo: 30, properties: ['10013'] }]
//                 (a property may be { sidOf: 'CONTOSO\alice' }: the SID that name resolves to,
//                  made-up but stable for a domain account, as group members are)
//   sessions:     [{ id: 2, winStation: 'RDP-Tcp#0', user: 'CONTOSO\alice', state: 0, clientName: null }]
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FirewallProfile, FirewallRule, RdpSession, RegistryData, RegistryKind, ServiceState, StartType } from '../../host/operations.ts';
import { resolveMember, SID } from '../model/accounts.ts';
import { ipAddressesFrom } from '../model/default-model.ts';
import type { HostModel } from '../model/host-model.ts';
import { storeKey } from '../model/ops/cert-ops.ts';
import { pidFor } from '../model/pids.ts';
import { addKeyFile, KEY_READ, keyFileOf, newRdpCertificate } from '../model/rdp-cert.ts';
import { canonicalPath, deleteValue, normaliseData, setValue } from '../model/registry.ts';
import { stopService } from '../model/services.ts';
import { CHECK_IDS, type Scenario, type ScenarioContext } from './types.ts';

const RegPath = z.string().refine((p) => canonicalPath(p) !== null, 'registry path must start with HKLM:\\ (or HKU:\\, HKCU:\\)');

const NewFirewallRule = z
  .object({
    name: z.string().min(1),
    group: FirewallRule.shape.group.default(null),
    enabled: z.boolean().default(true),
    direction: FirewallRule.shape.direction.default('Inbound'),
    action: FirewallRule.shape.action,
    profiles: FirewallRule.shape.profiles.default([]),
    protocol: FirewallRule.shape.protocol.default('Any'),
    localPorts: FirewallRule.shape.localPorts.default(['Any']),
    remoteAddresses: FirewallRule.shape.remoteAddresses.default(['Any']),
    policyStoreSourceType: FirewallRule.shape.policyStoreSourceType.default('Local'),
    program: z.string().nullable().default(null),
    /** Service short name, lower case (as ModelFirewallRule keeps it). */
    service: z.string().nullable().default(null),
  })
  .strict();

const DateOrTime = z.iso.date().or(z.iso.datetime());

const KeyAclEdits = z
  .object({
    set: z.array(z.object({ member: z.string().min(1), rights: z.number().int().min(0).max(0xffffffff) }).strict()).default([]),
    remove: z.array(z.string().min(1)).default([]),
  })
  .strict();

const EventProperty = z.union([z.string(), z.object({ sidOf: z.string().min(1) }).strict()]);

export const ScenarioFile = z
  .object({
    name: z.string().min(1),
    description: z.string().default(''),
    base: z.union([z.string(), z.array(z.string())]).default('healthy'),
    cause: z.union([z.enum(CHECK_IDS), z.array(z.enum(CHECK_IDS))]).default([]),
    fix: z.string().default(''),
    registry: z
      .object({
        set: z.array(z.object({ path: RegPath, name: z.string(), kind: RegistryKind, data: RegistryData }).strict()).default([]),
        delete: z.array(z.object({ path: RegPath, name: z.string() }).strict()).default([]),
      })
      .strict()
      .optional(),
    services: z
      .record(z.string(), z.object({ state: ServiceState.optional(), startType: StartType.optional(), account: z.string().optional() }).strict())
      .optional(),
    firewall: z
      .object({
        rules: z.record(z.string(), z.object({ enabled: z.boolean().optional(), localPorts: z.array(z.string()).optional(), action: z.enum(['Allow', 'Block']).optional() }).strict()).optional(),
        add: z.array(NewFirewallRule).optional(),
        profiles: z.record(FirewallProfile.shape.name, FirewallProfile.omit({ name: true }).partial().strict()).optional(),
      })
      .strict()
      .optional(),
    groups: z
      .record(z.string(), z.object({ add: z.array(z.string()).default([]), remove: z.array(z.string()).default([]), removeLocalUsers: z.boolean().default(false) }).strict())
      .optional(),
    certificates: z
      .record(
        z.string(),
        z
          .object({
            expiredAt: z.union([DateOrTime, z.object({ date: DateOrTime, atLeastDaysAgo: z.number().int().positive() }).strict()]).optional(),
            keyReadable: z.boolean().optional(),
            keyAcl: KeyAclEdits.optional(),
            remove: z.boolean().optional(),
          })
          .strict(),
      )
      .optional(),
    hungCimNamespaces: z.array(z.string().min(1)).optional(),
    ipAddresses: z.array(z.string()).optional(),
    events: z
      .array(z.object({ log: z.string(), provider: z.string(), id: z.number().int(), level: z.number().int().default(2), minutesAgo: z.number().default(10), properties: z.array(EventProperty).default([]) }).strict())
      .optional(),
    sessions: z.array(RdpSession).optional(),
  })
  .strict();
export type ScenarioFile = z.infer<typeof ScenarioFile>;

type ExpiredAt = NonNullable<NonNullable<ScenarioFile['certificates']>[string]['expiredAt']>;

const DAY = 86_400_000;

function must<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

/** When the planted certificate expired: a fixed date, or one that is at least N days before the lab clock. */
export function expiryDate(expiredAt: ExpiredAt, now: Date): Date {
  if (typeof expiredAt === 'string') return new Date(expiredAt);
  const preferred = new Date(expiredAt.date);
  const minAge = expiredAt.atLeastDaysAgo * DAY;
  if (now.getTime() - preferred.getTime() >= minAge) return preferred;
  const back = new Date(now.getTime() - minAge);
  return new Date(Date.UTC(back.getUTCFullYear(), back.getUTCMonth(), 1));
}

function applyPatch(f: ScenarioFile, m: HostModel, ctx: ScenarioContext, where: string): void {
  const member = (name: string) => must(resolveMember(m, name) ?? undefined, `${where}: cannot resolve ${name}`);
  for (const s of f.registry?.set ?? []) {
    const norm = normaliseData(s.kind, s.data);
    if (!norm.ok) throw new Error(`${where}: registry.set ${s.path}\\${s.name}: ${norm.message}`);
    setValue(m, s.path, s.name, s.kind, norm.data);
  }
  for (const d of f.registry?.delete ?? []) deleteValue(m, d.path, d.name);
  for (const [name, patch] of Object.entries(f.services ?? {})) {
    const s = must(m.services[name.toLowerCase()], `${where}: unknown service ${name}`);
    if (patch.startType) s.startType = patch.startType;
    if (patch.account) s.account = patch.account;
    if (patch.state === 'Stopped') {
      stopService(m, s); // dependents first, as Stop-Service -Force; a service already not running just reads Stopped
      s.state = 'Stopped';
      s.processId = null;
    } else if (patch.state) {
      s.state = patch.state;
      s.processId = s.serviceType.includes('Driver') ? null : pidFor(s.name);
    }
  }
  for (const [name, patch] of Object.entries(f.firewall?.rules ?? {})) {
    const r = must(m.firewall.rules.find((x) => x.name.toLowerCase() === name.toLowerCase()), `${where}: unknown firewall rule ${name}`);
    Object.assign(r, patch);
  }
  for (const rule of f.firewall?.add ?? []) {
    if (m.firewall.rules.some((x) => x.name.toLowerCase() === rule.name.toLowerCase())) throw new Error(`${where}: firewall.add: a rule named ${rule.name} exists already`);
    m.firewall.rules.push(structuredClone(rule));
  }
  for (const [name, patch] of Object.entries(f.firewall?.profiles ?? {})) {
    Object.assign(must(m.firewall.profiles.find((p) => p.name === name), `${where}: unknown profile ${name}`), patch);
  }
  for (const [sid, patch] of Object.entries(f.groups ?? {})) {
    const g = must(m.groups[sid.toUpperCase()], `${where}: unknown group ${sid}`);
    for (const a of patch.add) {
      const x = member(a);
      if (!g.members.some((y) => y.sid === x.sid)) g.members.push(x);
    }
    for (const r of patch.remove) {
      const x = member(r);
      g.members = g.members.filter((y) => y.sid !== x.sid);
    }
    if (patch.removeLocalUsers) g.members = g.members.filter((x) => x.principalSource !== 'Local' || x.objectClass !== 'User');
  }
  for (const [storeName, patch] of Object.entries(f.certificates ?? {})) {
    const store = must(m.certStores[storeKey(storeName) ?? ''], `${where}: unknown certificate store ${storeName}`);
    if (patch.remove) store.certs = [];
    if (patch.expiredAt) {
      const notAfter = expiryDate(patch.expiredAt, ctx.now);
      const notBefore = new Date(Date.UTC(notAfter.getUTCFullYear(), notAfter.getUTCMonth() - 6, notAfter.getUTCDate()));
      store.certs = store.certs.map(() => newRdpCertificate(m, ctx.now, { notBefore, notAfter }));
    }
    if (patch.keyReadable === undefined && !patch.keyAcl) continue;
    const keyAcl = patch.keyAcl && {
      set: patch.keyAcl.set.map((s) => ({ sid: member(s.member).sid, rights: s.rights })),
      remove: patch.keyAcl.remove.map((r) => member(r).sid),
    };
    // The key file is created with the default ACL when missing, so an edit always has a file to edit.
    for (const c of store.certs) {
      if (!c.keyContainer || c.keyPem === null) continue;
      const acl = keyFileOf(m, c) ?? addKeyFile(m, c.keyContainer);
      if (patch.keyReadable !== undefined) {
        acl.access = acl.access.filter((a) => a.sid !== SID.networkService);
        if (patch.keyReadable) acl.access.push({ sid: SID.networkService, rights: KEY_READ, type: 'Allow', inherited: false });
      }
      for (const { sid, rights } of keyAcl?.set ?? []) {
        if (acl.access.some((a) => a.sid === sid)) acl.access = acl.access.map((a) => (a.sid === sid ? { ...a, rights } : a));
        else acl.access.push({ sid, rights, type: 'Allow', inherited: false });
      }
      for (const sid of keyAcl?.remove ?? []) acl.access = acl.access.filter((a) => a.sid !== sid);
    }
  }
  for (const ns of f.hungCimNamespaces ?? []) {
    const key = ns.toLowerCase();
    if (!m.hungCimNamespaces.includes(key)) m.hungCimNamespaces.push(key);
  }
  if (f.ipAddresses) m.ipAddresses = ipAddressesFrom(f.ipAddresses);
  for (const e of f.events ?? []) {
    const properties = e.properties.map((p) => (typeof p === 'string' ? p : member(p.sidOf).sid));
    m.events.push({ log: e.log, provider: e.provider, id: e.id, level: e.level, properties, timeCreated: new Date(ctx.now.getTime() - e.minutesAgo * 60_000).toISOString() });
  }
  if (f.sessions) m.sessions.push(...structuredClone(f.sessions));
}

/** Validates a parsed scenario document; `source` names it in error messages. */
export function validateScenarioFile(raw: unknown, source: string): ScenarioFile {
  const parsed = ScenarioFile.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
  throw new Error(`${source}: invalid scenario file:\n${issues}`);
}

/**
 * The scenario a validated file describes: its bases (looked up by `baseScenario`, now, so an
 * unknown base fails at load time) and then its patch. Every error names `source`.
 */
export function scenarioFromFile(f: ScenarioFile, source: string, baseScenario: (name: string) => Scenario): Scenario {
  const bases = (Array.isArray(f.base) ? f.base : [f.base]).map((b) => {
    try {
      return baseScenario(b);
    } catch (e) {
      throw new Error(`${source}: base: ${(e as Error).message}`);
    }
  });
  return {
    name: f.name,
    description: f.description,
    cause: [...bases.flatMap((b) => b.cause), ...(Array.isArray(f.cause) ? f.cause : [f.cause])],
    fix: f.fix,
    apply: (m, ctx) => {
      for (const b of bases) b.apply(m, ctx);
      applyPatch(f, m, ctx, source);
    },
  };
}

/** Parses one scenario document (JSON when `source` ends in .json, else YAML) and validates it. */
export function parseScenarioText(text: string, source: string, baseScenario: (name: string) => Scenario): Scenario {
  const json = /\.json$/i.test(source);
  let raw: unknown;
  try {
    raw = json ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${source}: not valid ${json ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  return scenarioFromFile(validateScenarioFile(raw, source), source, baseScenario);
}
