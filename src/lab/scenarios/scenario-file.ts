// User scenario files (YAML or JSON): a declarative patch on a base scenario, validated with zod.
//
//   name: custom-port            # required
//   description: ...             # optional
//   base: healthy                # a built-in scenario name or a list of them (default healthy)
//   cause: [listener-port]       # rdp-checks.md check ids (optional)
//   registry:
//     set:    [{ path: 'HKLM:\...\RDP-Tcp', name: PortNumber, kind: DWord, data: 3390 }]
//     delete: [{ path: 'HKLM:\...', name: fDenyTSConnections }]
//   services:     { TermService: { state: Stopped, startType: Disabled } }
//   firewall:     { rules: { RemoteDesktop-UserMode-In-TCP: { enabled: false } },
//                   profiles: { Private: { allowInboundRules: 'False' } } }
//   groups:       { S-1-5-32-555: { add: ['CONTOSO\bob'], remove: ['rdpuser'] } }
//   certificates: { Remote Desktop: { expiredAt: '2026-10-01', keyReadable: false } }
//                 (keyReadable: NETWORK SERVICE's read entry on each certificate's key file ACL)
//   ipAddresses:  [10.99.0.5]
//   events:       [{ log: System, provider: Schannel, id: 36871, minutesAgo: 30 }]
//   sessions:     [{ id: 2, winStation: 'RDP-Tcp#0', user: 'CONTOSO\alice', state: 0 }]
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { FirewallProfile, RdpSession, RegistryData, RegistryKind, ServiceState, StartType } from '../../host/operations.ts';
import { resolveMember } from '../model/accounts.ts';
import { ipAddressesFrom } from '../model/default-model.ts';
import type { HostModel } from '../model/host-model.ts';
import { pidFor } from '../model/pids.ts';
import { addKeyFile, KEY_READ, keyFileOf, newRdpCertificate } from '../model/rdp-cert.ts';
import { SID } from '../model/accounts.ts';
import { canonicalPath, deleteValue, normaliseData, setValue } from '../model/registry.ts';
import { storeKey } from '../model/ops/cert-ops.ts';
import { getScenario } from './registry.ts';
import { CHECK_IDS, type Scenario, type ScenarioContext } from './types.ts';

const RegPath = z.string().refine((p) => canonicalPath(p) !== null, 'registry path must start with HKLM:\\ (or HKU:\\, HKCU:\\)');

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
        profiles: z.record(FirewallProfile.shape.name, FirewallProfile.omit({ name: true }).partial().strict()).optional(),
      })
      .strict()
      .optional(),
    groups: z.record(z.string(), z.object({ add: z.array(z.string()).default([]), remove: z.array(z.string()).default([]) }).strict()).optional(),
    certificates: z
      .record(z.string(), z.object({ expiredAt: z.iso.date().or(z.iso.datetime()).optional(), keyReadable: z.boolean().optional(), remove: z.boolean().optional() }).strict())
      .optional(),
    ipAddresses: z.array(z.string()).optional(),
    events: z
      .array(z.object({ log: z.string(), provider: z.string(), id: z.number().int(), level: z.number().int().default(2), minutesAgo: z.number().default(10), properties: z.array(z.string()).default([]) }).strict())
      .optional(),
    sessions: z.array(RdpSession).optional(),
  })
  .strict();
export type ScenarioFile = z.infer<typeof ScenarioFile>;

function must<T>(value: T | undefined, message: string): T {
  if (value === undefined) throw new Error(message);
  return value;
}

function applyPatch(f: ScenarioFile, m: HostModel, ctx: ScenarioContext): void {
  const where = `scenario ${f.name}`;
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
    if (patch.state) {
      s.state = patch.state;
      s.processId = patch.state === 'Stopped' || s.serviceType.includes('Driver') ? null : pidFor(s.name);
    }
  }
  for (const [name, patch] of Object.entries(f.firewall?.rules ?? {})) {
    const r = must(m.firewall.rules.find((x) => x.name.toLowerCase() === name.toLowerCase()), `${where}: unknown firewall rule ${name}`);
    Object.assign(r, patch);
  }
  for (const [name, patch] of Object.entries(f.firewall?.profiles ?? {})) {
    Object.assign(must(m.firewall.profiles.find((p) => p.name === name), `${where}: unknown profile ${name}`), patch);
  }
  for (const [sid, patch] of Object.entries(f.groups ?? {})) {
    const g = must(m.groups[sid.toUpperCase()], `${where}: unknown group ${sid}`);
    for (const a of patch.add) {
      const member = must(resolveMember(m, a) ?? undefined, `${where}: cannot resolve ${a}`);
      if (!g.members.some((x) => x.sid === member.sid)) g.members.push(member);
    }
    for (const r of patch.remove) {
      const member = must(resolveMember(m, r) ?? undefined, `${where}: cannot resolve ${r}`);
      g.members = g.members.filter((x) => x.sid !== member.sid);
    }
  }
  for (const [storeName, patch] of Object.entries(f.certificates ?? {})) {
    const store = must(m.certStores[storeKey(storeName) ?? ''], `${where}: unknown certificate store ${storeName}`);
    if (patch.remove) store.certs = [];
    if (patch.expiredAt) {
      const notAfter = new Date(patch.expiredAt);
      const notBefore = new Date(Date.UTC(notAfter.getUTCFullYear(), notAfter.getUTCMonth() - 6, notAfter.getUTCDate()));
      store.certs = store.certs.map(() => newRdpCertificate(m, ctx.now, { notBefore, notAfter }));
    }
    // keyReadable: NETWORK SERVICE's read entry on each certificate's key file is removed (false) or
    // put back (true); the key file is created with the default ACL when missing.
    if (patch.keyReadable !== undefined) {
      for (const c of store.certs) {
        if (!c.keyContainer || c.keyPem === null) continue;
        const acl = keyFileOf(m, c) ?? addKeyFile(m, c.keyContainer);
        acl.access = acl.access.filter((a) => a.sid !== SID.networkService);
        if (patch.keyReadable) acl.access.push({ sid: SID.networkService, rights: KEY_READ, type: 'Allow', inherited: false });
      }
    }
  }
  if (f.ipAddresses) m.ipAddresses = ipAddressesFrom(f.ipAddresses);
  for (const e of f.events ?? []) {
    m.events.push({ log: e.log, provider: e.provider, id: e.id, level: e.level, properties: e.properties, timeCreated: new Date(ctx.now.getTime() - e.minutesAgo * 60_000).toISOString() });
  }
  if (f.sessions) m.sessions.push(...structuredClone(f.sessions));
}

/** Parses and validates scenario text; `source` names it in error messages. */
export function parseScenario(text: string, source: string): Scenario {
  let raw: unknown;
  try {
    raw = /\.json$/i.test(source) ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new Error(`${source}: not valid ${/\.json$/i.test(source) ? 'JSON' : 'YAML'}: ${(e as Error).message}`);
  }
  const parsed = ScenarioFile.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new Error(`${source}: invalid scenario file:\n${issues}`);
  }
  const f = parsed.data;
  const bases = (Array.isArray(f.base) ? f.base : [f.base]).map((b) => {
    try {
      return getScenario(b);
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
      applyPatch(f, m, ctx);
    },
  };
}

export function loadScenarioFile(path: string): Scenario {
  return parseScenario(readFileSync(path, 'utf8'), path);
}
