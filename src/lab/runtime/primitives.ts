// The lab's Windows primitives: what each primitive of src/host/runtime/windows.ps1 does, done
// against a host model with the lab's own operations, unconditionally (no preconditions: deciding is
// the engine's job). The PowerShell side (lab-primitive.ps1, one function per name) reaches these
// over loopback HTTP; primitiveServer serves many models at once, one token each.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Operation } from '../../host/operations.ts';
import { PRIMITIVES_BEGIN, PRIMITIVES_END } from '../../host/runtime.ts';
import { resolveMember } from '../model/accounts.ts';
import type { HostModel } from '../model/host-model.ts';
import { runOp } from '../model/ops/index.ts';
import { findService, runningDependents } from '../model/services.ts';
import { storeKey } from '../model/ops/cert-ops.ts';

type Json = unknown;
type Args = Json[];

/** A failure the PowerShell side rethrows as the matching .NET exception. */
class PrimitiveFailure extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
  }
}

export interface PrimitiveHost {
  model: HostModel;
  now: () => Date;
  /** Revert scripts the engine registered, by task name (the runtime tests run them). */
  revertScripts: Map<string, string>;
  revertResults: Map<string, string>;
  /** Primitives that fail as Windows can (access denied, a stopped service): the engine must not take that for "none". */
  failing?: Record<string, { kind: string; message: string }>;
}

// Windows translates a domain SID back to its account when listing members; the lab's made-up
// domain SIDs cannot be, so the primitives remember the names they resolved (per model).
const resolvedNames = new WeakMap<HostModel, Map<string, string>>();
const memberOf = (h: PrimitiveHost, sid: string): string => resolvedNames.get(h.model)?.get(sid.toUpperCase()) ?? sid;

const str = (v: Json): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));

/** Runs a lab operation for a primitive; its value, or a PrimitiveFailure with its error code. */
function op(host: PrimitiveHost, operation: Operation): Json {
  const r = runOp({ model: host.model, now: host.now() }, operation);
  if (!r.ok) throw new PrimitiveFailure(r.error.code, r.error.message);
  return r.value;
}

const hung = (host: PrimitiveHost, namespace: string): boolean =>
  (host.model.hungCimNamespaces ?? []).includes(namespace.toLowerCase());

/** A hung provider: answer only when the caller's own timeout has passed, as Windows would. */
async function cimCall(host: PrimitiveHost, namespace: string, timeoutSec: number, call: () => Json): Promise<Json> {
  if (hung(host, namespace)) {
    await new Promise((resolve) => setTimeout(resolve, timeoutSec * 1000));
    throw new PrimitiveFailure('Timeout', `The WS-Management service cannot complete the operation within the time specified in OperationTimeout (${namespace}).`);
  }
  return call();
}

/** The providers, ids and time window of an XPath built by eventXPaths (host/event-xpath.ts). */
function parseXPath(xpath: string): { providers: string[]; ids: number[]; sinceMinutes: number } {
  const providers = [...xpath.matchAll(/@Name='([^']*)'/g)].map((m) => m[1] ?? '');
  const ids = [...xpath.matchAll(/EventID=(\d+)/g)].map((m) => Number(m[1]));
  const ms = Number(/timediff\(@SystemTime\) <= (\d+)/.exec(xpath)?.[1] ?? 0);
  return { providers, ids, sinceMinutes: Math.max(1, Math.round(ms / 60_000)) };
}

type Rule = { name: string; direction: string; protocol: string | null; enabled: boolean };

const PRIMITIVES: Record<string, (host: PrimitiveHost, a: Args) => Json | Promise<Json>> = {
  'Read-RegKey': (h, [path]) => {
    const k = op(h, { id: 'p', op: 'reg.key', path: str(path) }) as { exists: boolean; values: { name: string; kind: string; data: Json }[]; subkeys: string[] };
    return k.exists ? { values: k.values.map((v) => ({ ...v, supported: true })), subkeys: k.subkeys } : null;
  },
  'Write-RegValue': (h, [path, name, kind, data]) =>
    void op(h, { id: 'p', op: 'reg.set', path: str(path), name: str(name), kind: str(kind) as 'DWord', data: data as string }),
  'Remove-RegValue': (h, [path, name]) => void op(h, { id: 'p', op: 'reg.delete', path: str(path), name: str(name) }),
  'Read-CimInstances': (h, [ns, cls, filter, t]) =>
    cimCall(h, str(ns), Number(t), () => op(h, { id: 'p', op: 'cim.query', namespace: str(ns), className: str(cls), ...(str(filter) ? { filter: str(filter) } : {}) })),
  'Invoke-CimMethodOn': (h, [ns, cls, filter, method, args, t]) =>
    cimCall(h, str(ns), Number(t), () => {
      const v = op(h, { id: 'p', op: 'cim.invoke', namespace: str(ns), className: str(cls), ...(str(filter) ? { filter: str(filter) } : {}), method: str(method), args: (args ?? {}) as Record<string, string> }) as { returnValue: number | null };
      return v.returnValue;
    }),
  'Get-ServiceStatus': (h, [name]) => findService(h.model, str(name))?.state ?? null,
  'Send-ServiceControl': (h, [name, action]) => void op(h, { id: 'p', op: 'service.control', name: str(name), action: str(action) as 'start', timeoutSec: 60 }),
  'Read-RunningDependents': (h, [name]) => {
    const s = findService(h.model, str(name));
    return s ? runningDependents(h.model, s).map((d) => d.name) : [];
  },
  // Lab transitions are instant: the state is already the one it will reach.
  'Wait-ServiceState': (h, [name]) => findService(h.model, str(name))?.state ?? null,
  'Set-ServiceStartMode': (h, [name, mode, t]) =>
    cimCall(h, 'root\\cimv2', Number(t), () => (op(h, { id: 'p', op: 'service.startType', name: str(name), startType: str(mode) as 'Manual' }), 0)),
  'Read-StoreCertificates': (h, [store]) => {
    const key = storeKey(str(store));
    if (key === null || !(key in h.model.certStores)) return null;
    const list = op(h, { id: 'p', op: 'cert.list', store: str(store) }) as { der: string; hasPrivateKey: boolean; keyContainer: string | null }[];
    return list.map((c) => ({ der: c.der, hasPrivateKey: c.hasPrivateKey, keyContainer: c.keyContainer }));
  },
  'Remove-StoreCertificate': (h, [store, thumb]) => void op(h, { id: 'p', op: 'cert.remove', store: str(store), thumbprint: str(thumb) }),
  'Move-StoreCertificate': (h, [from, to, thumb]) => void op(h, { id: 'p', op: 'cert.move', fromStore: str(from), toStore: str(to), thumbprint: str(thumb) }),
  'Read-FileAcl': (h, [path]) => {
    const acl = op(h, { id: 'p', op: 'file.acl', path: str(path) }) as { exists: boolean; ownerSid: string | null; access: Json[] };
    return acl.exists ? { ownerSid: acl.ownerSid, access: acl.access } : null;
  },
  'Read-FirewallRules': (h, [group, name]) =>
    op(h, { id: 'p', op: 'fw.rules', ...(str(group) ? { group: str(group) } : str(name) ? { names: [str(name)] } : {}) }),
  'Read-FirewallTcpPortRules': (h) =>
    (op(h, { id: 'p', op: 'fw.rules' }) as Rule[]).filter((r) => r.direction === 'Inbound' && r.protocol === 'TCP'),
  'Read-FirewallRuleEnabled': (h, [name]) => {
    const rule = h.model.firewall.rules.find((r) => r.name.toLowerCase() === str(name).toLowerCase());
    if (!rule) throw new PrimitiveFailure('NotFound', `No MSFT_NetFirewallRule objects found with property 'Name' equal to '${str(name)}'.`);
    return rule.enabled;
  },
  'Set-FirewallRulesEnabled': (h, [names, enabled]) =>
    void op(h, { id: 'p', op: 'fw.enable', names: (Array.isArray(names) ? names : [names]).map(str), enabled: enabled === true }),
  'Read-FirewallProfiles': (h) =>
    (op(h, { id: 'p', op: 'fw.profiles' }) as { name: string; enabled: boolean; defaultInboundAction: string; allowInboundRules: string; allowLocalFirewallRules: string }[]).map((p) => ({
      name: p.name, enabled: p.enabled ? 'True' : 'False', defaultInboundAction: p.defaultInboundAction, allowInboundRules: p.allowInboundRules, allowLocalFirewallRules: p.allowLocalFirewallRules,
    })),
  'Read-NetworkCategories': (h) =>
    (op(h, { id: 'p', op: 'fw.profiles' }) as { name: string; active: boolean }[]).filter((p) => p.active).map((p) => (p.name === 'Domain' ? 'DomainAuthenticated' : p.name)),
  'Read-LocalGroupMembers': (h, [sid]) => op(h, { id: 'p', op: 'group.members', sid: str(sid) }),
  'Resolve-AccountSid': (h, [account]) => {
    const m = resolveMember(h.model, str(account));
    if (!m) throw new PrimitiveFailure('NotFound', `Some or all identity references could not be translated: ${str(account)}`);
    if (!resolvedNames.has(h.model)) resolvedNames.set(h.model, new Map());
    resolvedNames.get(h.model)?.set(m.sid.toUpperCase(), str(account));
    return m.sid;
  },
  'Add-LocalGroupMemberSid': (h, [group, member]) => void op(h, { id: 'p', op: 'group.add', groupSid: str(group), member: memberOf(h, str(member)) }),
  'Remove-LocalGroupMemberSid': (h, [group, member]) => void op(h, { id: 'p', op: 'group.remove', groupSid: str(group), member: memberOf(h, str(member)) }),
  'Read-TcpListeners': (h, [port]) =>
    (op(h, { id: 'p', op: 'tcp.listeners', ...(Number(port) ? { port: Number(port) } : {}) }) as { localAddress: string; localPort: number; owningProcess: number }[]).map((l) => ({
      localAddress: l.localAddress, localPort: l.localPort, owningProcess: l.owningProcess,
    })),
  'Read-ProcessName': (h, [pid]) =>
    (op(h, { id: 'p', op: 'tcp.listeners' }) as { owningProcess: number; processName: string | null }[]).find((l) => l.owningProcess === Number(pid))?.processName ?? null,
  'Read-IpAddresses': (h) => op(h, { id: 'p', op: 'ip.addresses' }),
  'Read-Events': (h, [log, xpath, max]) => {
    const q = parseXPath(str(xpath));
    return op(h, { id: 'p', op: 'events.query', log: str(log), providers: q.providers, ids: q.ids, sinceMinutes: q.sinceMinutes, max: Number(max), xpaths: [str(xpath)] });
  },
  'Read-RdpSessions': (h) => op(h, { id: 'p', op: 'rdp.sessions' }),
  'Get-HostName': (h) => h.model.computerName,
  'Get-UtcNow': (h) => h.now().toISOString(),
  'Test-RevertTask': (h, [name]) => str(name).toLowerCase() in h.model.tasks,
  'Register-RevertTask': (h, [name, after, script, data]) => {
    op(h, { id: 'p', op: 'task.scheduleRevert', name: str(name), afterMinutes: Number(after), restore: JSON.parse(str(data)) as never });
    h.revertScripts.set(str(name).toLowerCase(), str(script));
  },
  'Read-RevertData': (h, [name]) => h.model.tasks[str(name).toLowerCase()]?.restore ?? [],
  'Write-RevertResult': (h, [name, json]) => void h.revertResults.set(str(name).toLowerCase(), str(json)),
  'Unregister-RevertTask': (h, [name]) => void op(h, { id: 'p', op: 'task.cancel', name: str(name) }),
};

export const LAB_PRIMITIVE_NAMES: readonly string[] = Object.keys(PRIMITIVES);

const TEMPLATE = readFileSync(new URL('./lab-primitive.ps1', import.meta.url), 'utf8').replace(/\r\n/g, '\n');

/** The `# region primitives` block that replaces the Windows one: one lab function per primitive. */
export const LAB_PRIMITIVES_PS1: string = [
  PRIMITIVES_BEGIN,
  ...LAB_PRIMITIVE_NAMES.map((name) => TEMPLATE.replace(/^#.*\n/gm, '').replaceAll('__NAME__', name)),
  PRIMITIVES_END,
].join('\n');

export interface PrimitiveServer {
  url: string;
  /** Serves a host until the returned function is called; `token` goes in RDPMEDIC_LAB_TOKEN. */
  register(host: PrimitiveHost): { token: string; unregister(): void };
  close(): Promise<void>;
}

const BODY_LIMIT = 4 * 1024 * 1024;

/** One loopback HTTP server for the primitives of every registered host. */
export async function startPrimitiveServer(): Promise<PrimitiveServer> {
  const hosts = new Map<string, PrimitiveHost>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const reply = (body: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const host = hosts.get(String(req.headers['x-lab-token'] ?? ''));
      if (!host) return reply({ ok: false, kind: 'AccessDenied', message: 'unknown lab token' });
      let call: { primitive: string; args: Args };
      try {
        call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { primitive: string; args: Args };
      } catch {
        return reply({ ok: false, kind: 'Failed', message: 'the primitive call is not JSON' });
      }
      const fn = PRIMITIVES[call.primitive];
      if (!fn) return reply({ ok: false, kind: 'NotSupported', message: `no lab primitive ${call.primitive}` });
      const failing = host.failing?.[call.primitive];
      if (failing) return reply({ ok: false, ...failing });
      Promise.resolve()
        .then(() => fn(host, Array.isArray(call.args) ? call.args : []))
        .then(
          (value) => reply({ ok: true, value: value ?? null }),
          (e: unknown) => reply({ ok: false, kind: e instanceof PrimitiveFailure ? e.kind : 'Failed', message: e instanceof Error ? e.message : String(e) }),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    register(host) {
      const token = randomBytes(16).toString('hex');
      hosts.set(token, host);
      return { token, unregister: () => void hosts.delete(token) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
