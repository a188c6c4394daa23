// reg.value, reg.key, reg.set, reg.delete. Registry writes are compare-and-set against
// { exists, kind, data } and return the full RegistryValueState before and after.
import type { RegistryValueState } from '../../../host/operations.ts';
import type { HostModel } from '../host-model.ts';
import { canonicalPath, deleteValue, getKey, keyExists, normaliseData, sameData, setValue, subkeys, valueState } from '../registry.ts';
import { serviceAt, serviceValues, writeServiceValue } from './service-registry.ts';
import { fail, ok, preconditionFailed, type OpContext, type OpOf, type OpOutcome } from './types.ts';

type Expect = Omit<RegistryValueState, 'path' | 'name'>;

export function regState(model: HostModel, path: string, name: string): RegistryValueState {
  const svc = serviceAt(model, path);
  const mirrored = svc && serviceValues(svc).find((v) => v.name.toLowerCase() === name.toLowerCase());
  if (mirrored) return { path, name, exists: true, kind: mirrored.kind, data: mirrored.data };
  return valueState(model, path, name);
}

export function regMatches(current: RegistryValueState, expect: Expect): boolean {
  if (current.exists !== expect.exists) return false;
  if (!expect.exists) return true;
  return current.kind === expect.kind && sameData(current.kind, current.data, expect.data);
}

export function regValue({ model }: OpContext, op: OpOf<'reg.value'>): OpOutcome {
  if (!canonicalPath(op.path)) return fail('InvalidArgument', `Unsupported registry path '${op.path}'`);
  return ok(regState(model, op.path, op.name));
}

export function regKey({ model }: OpContext, op: OpOf<'reg.key'>): OpOutcome {
  if (!canonicalPath(op.path)) return fail('InvalidArgument', `Unsupported registry path '${op.path}'`);
  const exists = keyExists(model, op.path) || serviceAt(model, op.path) !== undefined;
  const values = new Map<string, { name: string; kind: RegistryValueState['kind'] & string; data: NonNullable<RegistryValueState['data']> }>();
  for (const v of Object.values(getKey(model, op.path)?.values ?? {})) values.set(v.name.toLowerCase(), { ...v, data: structuredClone(v.data) });
  const svc = serviceAt(model, op.path);
  for (const v of svc ? serviceValues(svc) : []) values.set(v.name.toLowerCase(), v);
  return ok({ path: op.path, exists, values: exists ? [...values.values()] : [], subkeys: exists ? subkeys(model, op.path) : [] });
}

export function regSet({ model }: OpContext, op: OpOf<'reg.set'>): OpOutcome {
  if (!canonicalPath(op.path)) return fail('InvalidArgument', `Unsupported registry path '${op.path}'`);
  const norm = normaliseData(op.kind, op.data);
  if (!norm.ok) return fail('InvalidArgument', norm.message);
  const data = norm.data;
  const previous = regState(model, op.path, op.name);
  if (op.expect && !regMatches(previous, op.expect)) return preconditionFailed(`${op.path}\\${op.name}`, previous);
  const svc = serviceAt(model, op.path);
  const mirrored = svc ? writeServiceValue(svc, op.name, op.kind, data) : false;
  if (typeof mirrored === 'string') return fail('InvalidArgument', mirrored);
  if (!mirrored) setValue(model, op.path, op.name, op.kind, data);
  return ok(regState(model, op.path, op.name), previous);
}

export function regDelete({ model }: OpContext, op: OpOf<'reg.delete'>): OpOutcome {
  if (!canonicalPath(op.path)) return fail('InvalidArgument', `Unsupported registry path '${op.path}'`);
  const previous = regState(model, op.path, op.name);
  if (op.expect && !regMatches(previous, op.expect)) return preconditionFailed(`${op.path}\\${op.name}`, previous);
  const svc = serviceAt(model, op.path);
  if (svc && serviceValues(svc).some((v) => v.name.toLowerCase() === op.name.toLowerCase())) {
    return fail('AccessDenied', `Refusing to delete the service configuration value '${op.name}'`);
  }
  // Deleting an absent value (or a value of an absent key) is a no-op success, as in the runtime:
  // undo records replay idempotently.
  deleteValue(model, op.path, op.name);
  return ok(regState(model, op.path, op.name), previous);
}
