// Check mode (contract v2, Ansible's): a write op evaluates its precondition against the current
// state and reports `previous` (the current state, shaped like a real run's undo record) and `value`
// (the state it would leave), changing nothing. What is evaluated, as in a real run and in the same
// order: argument validation (InvalidArgument), the target's existence (NotFound) and the `expect`
// precondition (PreconditionFailed). Not evaluated (only a real run can tell): whether a service
// would start, what a CIM method would return, registry values owned by the service configuration.
//
// When an earlier op of the same plan already targets the same object (targetKeys), the op reads
// nothing and evaluates no precondition: { ok: true, value: <predicted> } without `previous`
// (cert ops: value null), since the state it would meet is the earlier op's prediction.
import type { Operation, WritePrevious } from '../../../host/operations.ts';
import type { HostModel } from '../host-model.ts';
import { hostCertificate } from '../rdp-cert.ts';
import { canonicalPath, normaliseData } from '../registry.ts';
import { findService, runningDependents } from '../services.ts';
import { cleanThumbprint, storeKey, take } from './cert-ops.ts';
import { cimInvokeTarget } from './cim-ops.ts';
import { resolveMember } from '../accounts.ts';
import { regState, regMatches } from './registry-ops.ts';
import { fail, ok, preconditionFailed, type OpContext, type OpOf, type OpOutcome } from './types.ts';

export type WriteOp = Extract<Operation, { op: keyof typeof WritePrevious }>;

/** The objects a write op targets (contract v2 target keys). */
export function targetKeys(op: WriteOp): string[] {
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete':
      return [`reg:${op.path.toLowerCase()}\\${op.name.toLowerCase()}`];
    case 'service.control':
      return [`svc-state:${op.name.toLowerCase()}`];
    case 'service.startType':
      return [`svc-start:${op.name.toLowerCase()}`];
    case 'fw.enable':
      return op.names.map((n) => `fw:${n.toLowerCase()}`);
    case 'cert.move':
    case 'cert.remove':
      return [`cert:${cleanThumbprint(op.thumbprint)}`];
    case 'group.add':
    case 'group.remove':
      return [`grp:${op.groupSid.toUpperCase()}|${op.member.toLowerCase()}`];
    case 'cim.invoke':
      return [`cim:${op.namespace.toLowerCase()}|${op.className.toLowerCase()}|${(op.filter ?? '').toLowerCase()}`];
    case 'task.scheduleRevert':
    case 'task.cancel':
      return [`task:${op.name.toLowerCase()}`];
  }
}

/**
 * Keys an op also makes "already targeted" for later ops: stopping a service stops its running
 * dependents first (ServiceController.Stop()), so a later start of such a dependent meets the
 * stop's prediction, not the current state.
 */
export function impliedTargetKeys(model: HostModel, op: WriteOp): string[] {
  if (op.op !== 'service.control' || op.action !== 'stop') return [];
  const s = findService(model, op.name);
  if (!s || s.state !== 'Running') return [];
  return runningDependents(model, s).map((d) => `svc-state:${d.name.toLowerCase()}`);
}

/** The state a write op would leave, as predicted without reading anything. */
export function predictedValue(op: WriteOp): unknown {
  switch (op.op) {
    case 'reg.set':
      return { path: op.path, name: op.name, exists: true, kind: op.kind, data: op.data };
    case 'reg.delete':
      return { path: op.path, name: op.name, exists: false, kind: null, data: null };
    case 'service.control':
      return { state: op.action === 'start' ? 'Running' : 'Stopped' };
    case 'service.startType':
      return { startType: op.startType };
    case 'fw.enable':
      return Object.fromEntries(op.names.map((n) => [n, op.enabled]));
    case 'cert.move':
    case 'cert.remove':
      return null;
    case 'group.add':
      return { wasMember: true };
    case 'group.remove':
      return { wasMember: false };
    case 'cim.invoke':
      return { returnValue: null };
    case 'task.scheduleRevert':
      return { existed: true };
    case 'task.cancel':
      return { existed: false };
  }
}

const invalidPath = (path: string): OpOutcome => fail('InvalidArgument', `Unsupported registry path '${path}'`);

/** Evaluates one write op in check mode against the current model (nothing changes). */
export function checkOp(ctx: OpContext, op: WriteOp): OpOutcome {
  const { model } = ctx;
  switch (op.op) {
    case 'reg.set': {
      if (!canonicalPath(op.path)) return invalidPath(op.path);
      const norm = normaliseData(op.kind, op.data);
      if (!norm.ok) return fail('InvalidArgument', norm.message);
      const previous = regState(model, op.path, op.name);
      if (op.expect && !regMatches(previous, op.expect)) return preconditionFailed(`${op.path}\\${op.name}`, previous);
      return ok(predictedValue(op), previous);
    }
    case 'reg.delete': {
      if (!canonicalPath(op.path)) return invalidPath(op.path);
      const previous = regState(model, op.path, op.name);
      if (op.expect && !regMatches(previous, op.expect)) return preconditionFailed(`${op.path}\\${op.name}`, previous);
      return ok(predictedValue(op), previous);
    }
    case 'service.control':
    case 'service.startType': {
      const s = findService(model, op.name);
      if (!s) return fail('NotFound', `Cannot find any service with service name '${op.name}'.`);
      if (op.op === 'service.control') {
        const previous = { state: s.state };
        if (op.expectState && op.expectState !== s.state) return preconditionFailed(`Service ${s.name} state`, previous);
        return ok(predictedValue(op), previous);
      }
      const previous = { startType: s.startType };
      if (op.expectStartType && op.expectStartType !== s.startType) return preconditionFailed(`Service ${s.name} start type`, previous);
      return ok(predictedValue(op), previous);
    }
    case 'fw.enable': {
      const previous: Record<string, boolean> = {};
      for (const name of op.names) {
        const r = model.firewall.rules.find((x) => x.name.toLowerCase() === name.toLowerCase());
        if (!r) return fail('NotFound', `No MSFT_NetFirewallRule objects found with property 'Name' equal to '${name}'.`);
        previous[r.name] = r.enabled;
      }
      if (op.expect) {
        for (const [name, want] of Object.entries(op.expect)) {
          const r = model.firewall.rules.find((x) => x.name.toLowerCase() === name.toLowerCase());
          if (!r || r.enabled !== want) return preconditionFailed(`Firewall rule ${name}`, previous);
        }
      }
      return ok(predictedValue(op), previous);
    }
    case 'cert.move': {
      if (storeKey(op.toStore) === null) return fail('InvalidArgument', `Only LocalMachine certificate stores are supported: '${op.toStore}'`);
      const found = take(model, op.fromStore, op.thumbprint);
      if ('ok' in found) return found;
      const cert = found.store.certs[found.index];
      if (!cert) return fail('Failed', 'certificate vanished');
      return ok(hostCertificate(model, cert, op.toStore), hostCertificate(model, cert, op.fromStore));
    }
    case 'cert.remove': {
      const found = take(model, op.store, op.thumbprint);
      if ('ok' in found) return found;
      const cert = found.store.certs[found.index];
      if (!cert) return fail('Failed', 'certificate vanished');
      return ok(null, hostCertificate(model, cert, op.store));
    }
    case 'group.add':
    case 'group.remove': {
      const g = model.groups[op.groupSid.trim().toUpperCase()];
      if (!g) return fail('NotFound', `Group ${op.groupSid} was not found.`);
      const member = resolveMember(model, op.member);
      if (!member) return fail('NotFound', `Principal ${op.member} was not found.`);
      return ok(predictedValue(op), { wasMember: g.members.some((m) => m.sid === member.sid) });
    }
    case 'cim.invoke': {
      const t = cimInvokeTarget(ctx, op);
      if ('ok' in t) return t;
      return ok(predictedValue(op), t.previous);
    }
    case 'task.scheduleRevert':
    case 'task.cancel':
      return ok(predictedValue(op), { existed: op.name.toLowerCase() in model.tasks });
  }
}

export type { OpOf };
