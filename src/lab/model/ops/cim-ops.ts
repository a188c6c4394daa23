// cim.query and cim.invoke. A method call is compare-and-set on instance properties (`expect`) and
// returns the `capture`d properties as they were before the call (the undo record). A non-zero
// ReturnValue is reported as a Failed op and leaves the model unchanged.
import { instancesOf, type Instance } from './cim/classes.ts';
import { findMethod } from './cim/methods.ts';
import { cimEquals, getProp, matchesWql, parseWql } from './cim/wql.ts';
import { fail, ok, preconditionFailed, type OpContext, type OpOf, type OpOutcome } from './types.ts';

function select(ctx: OpContext, namespace: string, className: string, filter: string | undefined): Instance[] | OpOutcome {
  const all = instancesOf(ctx.model, namespace, className, ctx.now);
  if (!all) return fail('NotSupported', `Invalid class '${className}' in namespace '${namespace}'`);
  if (!filter) return all;
  const conditions = parseWql(filter);
  if (typeof conditions === 'string') return fail('InvalidArgument', conditions);
  return all.filter((i) => matchesWql(i, conditions));
}

const isOutcome = (x: Instance[] | OpOutcome): x is OpOutcome => !Array.isArray(x);

function project(i: Instance, properties: string[] | undefined): Instance {
  if (!properties) return i;
  return Object.fromEntries(properties.map((p) => [Object.keys(i).find((k) => k.toLowerCase() === p.toLowerCase()) ?? p, getProp(i, p) ?? null]));
}

export function cimQuery(ctx: OpContext, op: OpOf<'cim.query'>): OpOutcome {
  const found = select(ctx, op.namespace, op.className, op.filter);
  return isOutcome(found) ? found : ok(found.map((i) => project(i, op.properties)));
}

/** The one instance a cim.invoke targets, its precondition evaluated and its `capture` read (check mode stops here). */
export function cimInvokeTarget(ctx: OpContext, op: OpOf<'cim.invoke'>): { method: NonNullable<ReturnType<typeof findMethod>>; where: string; previous: Record<string, unknown> } | OpOutcome {
  const method = findMethod(op.className, op.method);
  const found = select(ctx, op.namespace, op.className, op.filter);
  if (isOutcome(found)) return found;
  if (!method) return fail('NotSupported', `Method '${op.method}' not found on class '${op.className}'`);
  const where = op.filter ? `${op.className} where ${op.filter}` : op.className;
  const instance = found[0];
  if (!instance) return fail('NotFound', `no instance of ${where}`);
  if (found.length > 1) return fail('InvalidArgument', `${where} matches ${found.length} instances; cim.invoke needs exactly one`);
  if (op.expect) {
    const current = Object.fromEntries(Object.keys(op.expect).map((k) => [k, getProp(instance, k) ?? null]));
    if (Object.entries(op.expect).some(([k, v]) => !cimEquals(current[k], v))) return preconditionFailed(where, current);
  }
  const previous = Object.fromEntries((op.capture ?? []).map((k) => [k, getProp(instance, k) ?? null]));
  return { method, where, previous };
}

export function cimInvoke(ctx: OpContext, op: OpOf<'cim.invoke'>): OpOutcome {
  const t = cimInvokeTarget(ctx, op);
  if ('ok' in t) return t;
  const { method, where, previous } = t;
  // Methods validate before they write, so a non-zero ReturnValue has changed nothing.
  const returnValue = method(ctx.model, op.args);
  if (returnValue !== 0) {
    return fail('Failed', `${where}.${op.method} returned ${returnValue}`, { returnValue, captured: previous });
  }
  return ok({ returnValue }, previous);
}
