// `rdp-medic selftest --writes`: every write operation of the contract and its undo, run on a
// DISPOSABLE VM, one row per step. It only touches things every Windows Server 2016+ has and that are
// safe to toggle on a throwaway machine, compares-and-sets against the state it read first, and puts
// each back: a registry value of its own, the SessionEnv service, the Remote Desktop shadow firewall
// rule, INTERACTIVE in Remote Desktop Users (only when it was not a member), a no-op CIM method call,
// the RDP certificate moved to a store of its own and back, and two revert tasks (one left to run on
// its one-minute timer, one cancelled). docs/real-host-validation.md has the procedure.
import { performance } from 'node:perf_hooks';
import { BOOTSTRAP_SCRIPT, buildStdin } from '../host/bootstrap.ts';
import { validatePlan, type PowerShellRunner } from '../host/executor.ts';
import { Plan, PLAN_VERSION, RegistryValueState, type Operation, type OpResult, type PlanResult, type RegistryRestore, type ServiceInfo } from '../host/operations.ts';
import { decodeFrames, parsePlanResult, typedPrevious, typedValue, type WriteOpName } from '../host/result.ts';
import { rawTimings, type SelftestRow } from './selftest.ts';
import { regDelete, regSet, serviceControl, serviceStartType } from './fixes/lib/plan.ts';
import { RDP_STORE } from './fixes/lib/facts.ts';
import { TS_NAMESPACE } from './read-plan.ts';

export const SELFTEST_KEY = 'HKLM:\\SOFTWARE\\rdp-medic-selftest';
export const SELFTEST_VALUE = 'Selftest';
export const SELFTEST_SERVICE = 'SessionEnv';
export const SELFTEST_FW_RULE = 'RemoteDesktop-Shadow-In-TCP';
/** BUILTIN\Remote Desktop Users and NT AUTHORITY\INTERACTIVE, by SID (locale-free). */
export const SELFTEST_GROUP = 'S-1-5-32-555';
export const SELFTEST_MEMBER = 'S-1-5-4';
export const SELFTEST_CERT_STORE = 'RdpMedicSelftest';
export const SELFTEST_TASKS = { revert: 'rdp-medic-selftest-revert', cancel: 'rdp-medic-selftest-cancel' } as const;
const TS_CLASS = 'Win32_TSGeneralSetting';
const TS_FILTER = "TerminalName='RDP-Tcp'";
const UAR = 'UserAuthenticationRequired';

/** What the write selftest changes (and puts back), for the refusal message and the docs. */
export const WRITE_SELFTEST_CHANGES: readonly string[] = [
  `creates and deletes the registry value ${SELFTEST_KEY}\\${SELFTEST_VALUE} (the key stays, empty)`,
  `stops and starts (or starts and stops) the ${SELFTEST_SERVICE} service (Remote Desktop Configuration) and flips its start type`,
  `disables and re-enables (or the reverse) the firewall rule ${SELFTEST_FW_RULE}`,
  `adds ${SELFTEST_MEMBER} (INTERACTIVE) to ${SELFTEST_GROUP} (Remote Desktop Users) and removes it, when it is not a member`,
  `calls ${TS_CLASS}.SetUserAuthenticationRequired with the current value`,
  `moves the Remote Desktop certificate to the store ${SELFTEST_CERT_STORE} and back (the store stays, empty), and asks to remove it in check mode only`,
  `registers two scheduled tasks under \\rdp-medic\\ (one runs after one minute, one is cancelled)`,
];

export interface WriteSelftestOptions {
  /** Waits between polls for the revert task (default: a timer). Tests advance a lab clock instead. */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds on the clock the wait is measured with (default Date.now). */
  now?: () => number;
  /** How often to look whether the revert task ran (default 10 s) and for how long at most (default 3 min). */
  pollMs?: number;
  waitMs?: number;
}

class StepFailure extends Error {}

interface Ran {
  result: PlanResult;
  ms: number;
}

/** One plan through the bootstrap; `ms` is the host's time for its ops (the OP frames' ms), else the round trip. */
async function runPlan(runner: PowerShellRunner, input: Parameters<typeof Plan.parse>[0]): Promise<Ran> {
  const plan = validatePlan(Plan.parse(input));
  const t0 = performance.now();
  const out = await runner.runPowerShell(BOOTSTRAP_SCRIPT, buildStdin(plan));
  const roundTrip = Math.round(performance.now() - t0);
  const timings = rawTimings(decodeFrames(out.stdout, out).ops);
  const result = parsePlanResult(out.stdout, plan, out);
  const opMs = [...timings.values()];
  return { result, ms: opMs.length ? Math.round(opMs.reduce((a, b) => a + b, 0)) : roundTrip };
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** The op's result when it succeeded; a StepFailure naming the error otherwise. */
function okAt(result: PlanResult, i: number): Extract<OpResult, { ok: true }> {
  const r = result.results[i];
  if (!r) throw new StepFailure(`no result for op ${i + 1}`);
  if (!r.ok) throw new StepFailure(`${r.id}: ${r.error.code}: ${r.error.message}`);
  return r;
}

function previousOf<K extends WriteOpName>(result: PlanResult, i: number, op: K): ReturnType<typeof typedPrevious<K>> {
  try {
    return typedPrevious(okAt(result, i), op);
  } catch (e) {
    throw e instanceof StepFailure ? e : new StepFailure(message(e));
  }
}

function regState(value: unknown, what: string): RegistryValueState {
  const parsed = RegistryValueState.safeParse(value);
  if (!parsed.success) throw new StepFailure(`${what} is not a registry value state: ${JSON.stringify(value)}`);
  return parsed.data;
}

const show = (s: Pick<RegistryValueState, 'exists' | 'kind' | 'data'>): string => (s.exists ? `${JSON.stringify(s.data)} (${s.kind ?? '?'})` : 'absent');
const sameReg = (a: Pick<RegistryValueState, 'exists' | 'kind' | 'data'>, b: Pick<RegistryValueState, 'exists' | 'kind' | 'data'>): boolean =>
  a.exists === b.exists && (!a.exists || (a.kind === b.kind && JSON.stringify(a.data) === JSON.stringify(b.data)));
const expectState = (want: boolean, got: unknown, what: string): void => {
  if (want !== got) throw new StepFailure(`${what}: expected ${String(want)}, got ${JSON.stringify(got)}`);
};

/** What the selftest reads before it starts and again at the end. */
interface HostState {
  host: string;
  os: string;
  key: { exists: boolean; values: number } | string;
  value: RegistryValueState | string;
  service: ServiceInfo | string;
  rule: boolean | string;
  member: boolean | string;
  uar: number | string;
  rdpCerts: { thumbprint: string; hasPrivateKey: boolean; keyContainer: string | null }[] | string;
  selftestStore: number | string;
}

function readStatePlan(): Operation[] {
  return [
    { id: 'os', op: 'os.info' },
    { id: 'key', op: 'reg.key', path: SELFTEST_KEY },
    { id: 'value', op: 'reg.value', path: SELFTEST_KEY, name: SELFTEST_VALUE },
    { id: 'service', op: 'service.get', name: SELFTEST_SERVICE },
    { id: 'rule', op: 'fw.rules', names: [SELFTEST_FW_RULE] },
    { id: 'group', op: 'group.members', sid: SELFTEST_GROUP },
    { id: 'cim', op: 'cim.query', namespace: TS_NAMESPACE, className: TS_CLASS, filter: TS_FILTER, properties: ['TerminalName', UAR] },
    { id: 'rdp-certs', op: 'cert.list', store: RDP_STORE },
    { id: 'selftest-certs', op: 'cert.list', store: SELFTEST_CERT_STORE },
  ];
}

/** A fact, or why it could not be read. */
function fact<T>(read: () => T): T | string {
  try {
    return read();
  } catch (e) {
    return message(e);
  }
}

async function readState(runner: PowerShellRunner): Promise<{ state: HostState; ms: number; runtime: string }> {
  const ran = await runPlan(runner, { version: PLAN_VERSION, mode: 'read', ops: readStatePlan() });
  const r = (i: number): OpResult => ran.result.results[i] as OpResult;
  const state: HostState = {
    host: ran.result.host,
    os: fact(() => {
      const os = typedValue(r(0), 'os.info');
      return `${os.caption} ${os.version}`;
    }) as string,
    key: fact(() => {
      const k = typedValue(r(1), 'reg.key');
      return { exists: k.exists, values: k.values.length };
    }),
    value: fact(() => typedValue(r(2), 'reg.value')),
    service: fact(() => {
      const s = typedValue(r(3), 'service.get');
      if (!s.exists) throw new Error(`${SELFTEST_SERVICE} does not exist`);
      return s;
    }),
    rule: fact(() => {
      const rule = typedValue(r(4), 'fw.rules').find((x) => x.name.toLowerCase() === SELFTEST_FW_RULE.toLowerCase());
      if (!rule) throw new Error(`firewall rule ${SELFTEST_FW_RULE} not found`);
      return rule.enabled;
    }),
    member: fact(() => typedValue(r(5), 'group.members').some((m) => m.sid.toUpperCase() === SELFTEST_MEMBER)),
    uar: fact(() => {
      const instances = typedValue(r(6), 'cim.query');
      const v = instances[0]?.[UAR];
      if (instances.length !== 1 || typeof v !== 'number') throw new Error(`${TS_CLASS} where ${TS_FILTER}: expected one instance with a numeric ${UAR}, got ${JSON.stringify(instances)}`);
      return v;
    }),
    rdpCerts: fact(() => typedValue(r(7), 'cert.list').map((c) => ({ thumbprint: c.thumbprint, hasPrivateKey: c.hasPrivateKey, keyContainer: c.keyContainer }))),
    selftestStore: fact(() => typedValue(r(8), 'cert.list').length),
  };
  return { state, ms: ran.ms, runtime: ran.result.runtime };
}

interface Ctx {
  runner: PowerShellRunner;
  rows: SelftestRow[];
}

const skip = (ctx: Ctx, op: string, why: string): void => {
  ctx.rows.push({ op, ok: true, skipped: true, summary: `skipped: ${why}` });
};

/**
 * Runs one write plan and judges its result; one row. `judge` returns the row's summary or throws
 * StepFailure. Returns whether the step passed.
 */
async function step(ctx: Ctx, op: string, ops: Operation[], judge: (result: PlanResult) => string, check = false): Promise<boolean> {
  let ran: Ran;
  try {
    ran = await runPlan(ctx.runner, { version: PLAN_VERSION, mode: 'write', check, ops });
  } catch (e) {
    ctx.rows.push({ op, ok: false, summary: `the plan did not run: ${message(e)}` });
    return false;
  }
  try {
    if (ran.result.check !== check) throw new StepFailure(`the host ran the plan with check=${String(ran.result.check)}, asked ${String(check)}`);
    ctx.rows.push({ op, ok: true, ms: ran.ms, summary: judge(ran.result) });
    return true;
  } catch (e) {
    ctx.rows.push({ op, ok: false, ms: ran.ms, summary: message(e) });
    return false;
  }
}

// ---------- the steps ----------

/** Returns whether check mode changed nothing (cert.remove is only ever run in check mode, and only then). */
async function registrySteps(ctx: Ctx, seen: RegistryValueState): Promise<boolean> {
  const one = { exists: true, kind: 'DWord' as const, data: 1 };
  const valueRead: Operation = { id: 'after', op: 'reg.value', path: SELFTEST_KEY, name: SELFTEST_VALUE };
  const checked = await step(
    ctx,
    'reg.set (check)',
    [regSet('set', seen, 'DWord', 1), valueRead],
    (res) => {
      const prev = previousOf(res, 0, 'reg.set');
      const would = regState(okAt(res, 0).value, 'the predicted value');
      const after = typedValue(okAt(res, 1), 'reg.value');
      if (prev.exists) throw new StepFailure(`check mode reported the value as ${show(prev)}, it was absent`);
      if (!sameReg(would, one)) throw new StepFailure(`check mode predicted ${show(would)}, expected 1 (DWord)`);
      if (after.exists) throw new StepFailure(`check mode CHANGED the host: the value is now ${show(after)}`);
      return `check mode: would set absent → 1 (DWord); still absent afterwards`;
    },
    true,
  );
  const set = await step(ctx, 'reg.set', [regSet('set', seen, 'DWord', 1)], (res) => {
    const prev = previousOf(res, 0, 'reg.set');
    const now = regState(okAt(res, 0).value, 'the new value');
    if (!sameReg(prev, seen)) throw new StepFailure(`previous ${show(prev)}, expected ${show(seen)}`);
    if (!sameReg(now, one)) throw new StepFailure(`the value is ${show(now)} after the write, expected 1 (DWord)`);
    return `${show(prev)} → ${show(now)}`;
  });
  if (!set) {
    skip(ctx, 'reg.set (stale expect)', 'reg.set failed');
    skip(ctx, 'reg.delete', 'reg.set failed: nothing to undo');
    return checked;
  }
  // The same write again with the expect of before: the value is 1 now, so the runtime must refuse.
  let current: RegistryValueState = { path: SELFTEST_KEY, name: SELFTEST_VALUE, ...one };
  await step(ctx, 'reg.set (stale expect)', [regSet('stale', seen, 'DWord', 2), valueRead], (res) => {
    const [first, next] = res.results;
    if (first?.ok) {
      current = regState(first.value, 'the value after the stale write');
      throw new StepFailure(`NOT refused: a write expecting ${show(seen)} overwrote 1 (now ${show(current)})`);
    }
    if (first?.error.code !== 'PreconditionFailed') throw new StepFailure(`expected PreconditionFailed, got ${first?.error.code ?? 'nothing'}: ${first?.error.message ?? ''}`);
    if (next?.ok || next?.error.code !== 'NotRun') throw new StepFailure(`the op after the refused one was ${next?.ok ? 'run' : (next?.error.code ?? 'missing')}, expected NotRun`);
    const cur = RegistryValueState.safeParse(first.error.current);
    return `refused as expected: PreconditionFailed (expected absent, found ${cur.success ? show(cur.data) : 'a value'}); the next op NotRun`;
  });
  await step(ctx, 'reg.delete', [regDelete('delete', current)], (res) => {
    const prev = previousOf(res, 0, 'reg.delete');
    const now = regState(okAt(res, 0).value, 'the value after the delete');
    if (!sameReg(prev, current)) throw new StepFailure(`previous ${show(prev)}, expected ${show(current)}`);
    if (now.exists) throw new StepFailure(`the value is still ${show(now)} after the delete`);
    return `undo: ${show(prev)} → absent`;
  });
  return checked;
}

async function serviceSteps(ctx: Ctx, seen: ServiceInfo): Promise<void> {
  const name = SELFTEST_SERVICE;
  const state = seen.state;
  if (state !== 'Running' && state !== 'Stopped') {
    skip(ctx, 'service.control', `${name} is ${state ?? 'in an unknown state'}, neither Running nor Stopped`);
  } else if (state === 'Stopped' && seen.startType === 'Disabled') {
    skip(ctx, 'service.control', `${name} is Stopped and Disabled: it cannot be started`);
  } else {
    const [first, back] = state === 'Running' ? (['stop', 'start'] as const) : (['start', 'stop'] as const);
    const other = state === 'Running' ? 'Stopped' : 'Running';
    const control = (id: string, action: 'start' | 'stop', from: 'Running' | 'Stopped', to: 'Running' | 'Stopped', label: string) =>
      step(ctx, `service.control ${action}`, [serviceControl(id, name, action, from)], (res) => {
        const prev = previousOf(res, 0, 'service.control');
        const now = (okAt(res, 0).value as { state?: unknown } | null)?.state;
        expectState(true, prev.state === from, `previous state ${prev.state}, expected ${from}`);
        if (now !== to) throw new StepFailure(`${name} is ${JSON.stringify(now)} after ${action}, expected ${to}`);
        return `${label}${name} ${from} → ${to}`;
      });
    if (await control('first', first, state, other, '')) await control('back', back, other, state, 'undo: ');
    else skip(ctx, `service.control ${back}`, `service.control ${first} failed`);
  }
  const from = seen.startType;
  if (from === null || from === 'Boot' || from === 'System') {
    skip(ctx, 'service.startType', `${name} start type is ${from ?? 'unknown'}`);
    return;
  }
  const to = from === 'Disabled' ? 'Manual' : 'Disabled';
  const startType = (id: string, a: typeof from, b: typeof from, label: string) =>
    step(ctx, 'service.startType', [serviceStartType(id, name, b, a)], (res) => {
      const prev = previousOf(res, 0, 'service.startType');
      const now = (okAt(res, 0).value as { startType?: unknown } | null)?.startType;
      if (prev.startType !== a) throw new StepFailure(`previous start type ${prev.startType}, expected ${a}`);
      if (now !== b) throw new StepFailure(`start type ${JSON.stringify(now)} after the write, expected ${b}`);
      return `${label}${name} ${a} → ${b}`;
    });
  if (await startType('set', from, to, '')) await startType('back', to, from, 'undo: ');
  else skip(ctx, 'service.startType', 'the first start type change failed: nothing to undo');
}

async function firewallSteps(ctx: Ctx, enabled: boolean): Promise<void> {
  const flip = (id: string, from: boolean, label: string) =>
    step(ctx, 'fw.enable', [{ id, op: 'fw.enable', names: [SELFTEST_FW_RULE], enabled: !from, expect: { [SELFTEST_FW_RULE]: from } }], (res) => {
      const prev = previousOf(res, 0, 'fw.enable');
      const now = okAt(res, 0).value as Record<string, unknown> | null;
      const key = Object.keys(prev).find((k) => k.toLowerCase() === SELFTEST_FW_RULE.toLowerCase());
      if (key === undefined || prev[key] !== from) throw new StepFailure(`previous ${JSON.stringify(prev)}, expected ${SELFTEST_FW_RULE}: ${String(from)}`);
      if (now?.[key] !== !from) throw new StepFailure(`after the write ${JSON.stringify(now)}, expected ${String(!from)}`);
      return `${label}${SELFTEST_FW_RULE} ${from ? 'enabled' : 'disabled'} → ${from ? 'disabled' : 'enabled'}`;
    });
  if (await flip('flip', enabled, '')) await flip('back', !enabled, 'undo: ');
  else skip(ctx, 'fw.enable', 'the first flip failed: nothing to undo');
}

async function groupSteps(ctx: Ctx, member: boolean): Promise<void> {
  if (member) {
    skip(ctx, 'group.add', `${SELFTEST_MEMBER} (INTERACTIVE) is already a member of ${SELFTEST_GROUP}: removing it would change who may log on; left alone`);
    skip(ctx, 'group.remove', 'group.add was skipped');
    return;
  }
  const list: Operation = { id: 'members', op: 'group.members', sid: SELFTEST_GROUP };
  const change = (op: 'group.add' | 'group.remove') =>
    step(ctx, op, [{ id: 'change', op, groupSid: SELFTEST_GROUP, member: SELFTEST_MEMBER }, list], (res) => {
      const adding = op === 'group.add';
      const prev = previousOf(res, 0, op);
      const now = okAt(res, 0).value as { wasMember?: unknown } | null;
      const listed = typedValue(okAt(res, 1), 'group.members').find((m) => m.sid.toUpperCase() === SELFTEST_MEMBER);
      if (prev.wasMember === adding) throw new StepFailure(`wasMember ${String(prev.wasMember)} before ${op}, expected ${String(!adding)}`);
      if (now?.wasMember !== adding) throw new StepFailure(`${op} reported ${JSON.stringify(now)}, expected wasMember ${String(adding)}`);
      if (Boolean(listed) !== adding) throw new StepFailure(`group.members ${listed ? 'still lists' : 'does not list'} ${SELFTEST_MEMBER} after ${op}`);
      const who = listed ? ` (listed as ${listed.name ?? 'an untranslated SID'}, ${listed.objectClass})` : '';
      return `${adding ? '' : 'undo: '}${SELFTEST_MEMBER} in ${SELFTEST_GROUP}: ${adding ? 'not a member → member' : 'member → not a member'}${who}`;
    });
  if (await change('group.add')) await change('group.remove');
  else skip(ctx, 'group.remove', 'group.add failed: nothing to undo');
}

async function cimStep(ctx: Ctx, uar: number): Promise<void> {
  const invoke: Operation = {
    id: 'invoke',
    op: 'cim.invoke',
    namespace: TS_NAMESPACE,
    className: TS_CLASS,
    filter: TS_FILTER,
    method: 'SetUserAuthenticationRequired',
    args: { [UAR]: uar },
    expect: { [UAR]: uar },
    capture: [UAR],
  };
  const read: Operation = { id: 'after', op: 'cim.query', namespace: TS_NAMESPACE, className: TS_CLASS, filter: TS_FILTER, properties: [UAR] };
  await step(ctx, 'cim.invoke', [invoke, read], (res) => {
    const captured = previousOf(res, 0, 'cim.invoke');
    const returned = (okAt(res, 0).value as { returnValue?: unknown } | null)?.returnValue;
    const after = typedValue(okAt(res, 1), 'cim.query')[0]?.[UAR];
    if (captured[UAR] !== uar) throw new StepFailure(`captured ${UAR} ${JSON.stringify(captured[UAR])}, expected ${uar}`);
    if (returned !== 0) throw new StepFailure(`SetUserAuthenticationRequired returned ${JSON.stringify(returned)}, expected 0`);
    if (after !== uar) throw new StepFailure(`${UAR} is ${JSON.stringify(after)} after the call, expected ${uar} (unchanged)`);
    return `${TS_CLASS}.SetUserAuthenticationRequired(${uar}): ${UAR} ${uar} → ${uar} (captured, ReturnValue 0, unchanged)`;
  });
}

async function certSteps(ctx: Ctx, certs: Exclude<HostState['rdpCerts'], string>, selftestStore: number, checkWorks: boolean): Promise<void> {
  const cert = certs[0];
  if (!cert) {
    const empty = `the ${RDP_STORE} store is empty (RDP has not started since the certificate was removed): nothing to move`;
    skip(ctx, 'cert.remove (check)', empty);
    skip(ctx, 'cert.move', empty);
    skip(ctx, 'cert.move', 'nothing was moved');
    return;
  }
  // cert.remove cannot be undone (no operation imports a certificate): it runs in check mode only,
  // and only once check mode has been seen to change nothing.
  if (!checkWorks) skip(ctx, 'cert.remove (check)', 'check mode did not pass (reg.set (check)): not risked on the certificate');
  else {
    await step(
      ctx,
      'cert.remove (check)',
      [{ id: 'remove', op: 'cert.remove', store: RDP_STORE, thumbprint: cert.thumbprint }, { id: 'list', op: 'cert.list', store: RDP_STORE }],
      (res) => {
        const prev = previousOf(res, 0, 'cert.remove');
        const still = typedValue(okAt(res, 1), 'cert.list').some((c) => c.thumbprint === cert.thumbprint);
        if (prev.thumbprint !== cert.thumbprint) throw new StepFailure(`check mode reported ${prev.thumbprint}, expected ${cert.thumbprint}`);
        if (!still) throw new StepFailure(`check mode REMOVED ${cert.thumbprint} from ${RDP_STORE}: restart TermService to get a new self-signed certificate`);
        return `check mode: would remove ${cert.thumbprint.slice(0, 8)} from ${RDP_STORE}; still there afterwards`;
      },
      true,
    );
  }
  if (selftestStore > 0) {
    skip(ctx, 'cert.move', `the store ${SELFTEST_CERT_STORE} already holds ${selftestStore} certificate(s): left by an interrupted run? Move them back by hand first`);
    skip(ctx, 'cert.move', 'nothing was moved');
    return;
  }
  const t = cert.thumbprint;
  const move = (from: string, to: string, label: string) =>
    step(ctx, 'cert.move', [{ id: 'move', op: 'cert.move', fromStore: from, toStore: to, thumbprint: t }, { id: 'list', op: 'cert.list', store: to }], (res) => {
      const prev = previousOf(res, 0, 'cert.move');
      const there = typedValue(okAt(res, 1), 'cert.list').find((c) => c.thumbprint === t);
      if (prev.thumbprint !== t) throw new StepFailure(`moved ${prev.thumbprint}, expected ${t}`);
      if (!there) throw new StepFailure(`${t} is not listed in ${to} after the move`);
      if (there.hasPrivateKey !== cert.hasPrivateKey || there.keyContainer !== cert.keyContainer) {
        throw new StepFailure(`the key association changed: hasPrivateKey ${String(cert.hasPrivateKey)} → ${String(there.hasPrivateKey)}, container ${cert.keyContainer ?? 'none'} → ${there.keyContainer ?? 'none'}`);
      }
      return `${label}${t.slice(0, 8)} ${from} → ${to} (key ${cert.hasPrivateKey ? `kept: ${cert.keyContainer ?? 'container unknown'}` : 'none'})`;
    });
  if (await move(RDP_STORE, SELFTEST_CERT_STORE, '')) await move(SELFTEST_CERT_STORE, RDP_STORE, 'undo: ');
  else skip(ctx, 'cert.move', 'the first move failed: nothing to move back');
}

/**
 * Starting SessionEnv (or TermService) with an empty Remote Desktop store makes Windows create a new
 * self-signed certificate: removed again, as undo does for certificates generated during a fix.
 */
async function removeGeneratedCerts(ctx: Ctx, before: string[]): Promise<void> {
  let now: string[];
  try {
    const ran = await runPlan(ctx.runner, { version: PLAN_VERSION, mode: 'read', ops: [{ id: 'list', op: 'cert.list', store: RDP_STORE }] });
    now = typedValue(ran.result.results[0] as OpResult, 'cert.list').map((c) => c.thumbprint);
  } catch (e) {
    ctx.rows.push({ op: 'cert.list', ok: false, summary: `could not list ${RDP_STORE} after the service steps: ${message(e)}` });
    return;
  }
  for (const t of now.filter((x) => !before.includes(x))) {
    await step(ctx, 'cert.remove', [{ id: 'remove', op: 'cert.remove', store: RDP_STORE, thumbprint: t }, { id: 'list', op: 'cert.list', store: RDP_STORE }], (res) => {
      const prev = previousOf(res, 0, 'cert.remove');
      if (prev.thumbprint !== t) throw new StepFailure(`removed ${prev.thumbprint}, expected ${t}`);
      if (typedValue(okAt(res, 1), 'cert.list').some((c) => c.thumbprint === t)) throw new StepFailure(`${t} is still in ${RDP_STORE}`);
      return `undo: removed ${t.slice(0, 8)}, the self-signed certificate ${SELFTEST_SERVICE}'s start created in the empty ${RDP_STORE} store`;
    });
  }
}

const sleepTimer = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function taskSteps(ctx: Ctx, seen: RegistryValueState, opts: WriteSelftestOptions): Promise<void> {
  const sleep = opts.sleep ?? sleepTimer;
  const now = opts.now ?? Date.now;
  const pollMs = opts.pollMs ?? 10_000;
  const waitMs = opts.waitMs ?? 180_000;
  const restore: RegistryRestore = { path: SELFTEST_KEY, name: SELFTEST_VALUE, wrote: { kind: 'DWord', data: 1 }, previous: { exists: false, kind: null, data: null } };
  const scheduled = await step(
    ctx,
    'task.scheduleRevert',
    [regSet('set', seen, 'DWord', 1), { id: 'schedule', op: 'task.scheduleRevert', name: SELFTEST_TASKS.revert, afterMinutes: 1, restore: [restore] }],
    (res) => {
      const set = regState(okAt(res, 0).value, 'the value');
      const prev = previousOf(res, 1, 'task.scheduleRevert');
      if (set.exists !== true || set.data !== 1) throw new StepFailure(`the value is ${show(set)} after reg.set, expected 1`);
      return `value absent → 1; task \\rdp-medic\\${SELFTEST_TASKS.revert} due in 1 min to delete it${prev.existed ? ' (replaced a task left by an earlier run)' : ''}`;
    },
  );
  if (!scheduled) {
    skip(ctx, 'task (revert ran)', 'task.scheduleRevert failed');
  } else {
    const started = now();
    let last = 'not read yet';
    let gone = false;
    let seenAt = 0;
    // Bounded by the poll count too, so a clock that does not move cannot keep it polling.
    for (let poll = 0; poll < Math.ceil(waitMs / pollMs) && now() - started < waitMs; poll++) {
      await sleep(pollMs);
      try {
        const ran = await runPlan(ctx.runner, { version: PLAN_VERSION, mode: 'read', ops: [{ id: 'value', op: 'reg.value', path: SELFTEST_KEY, name: SELFTEST_VALUE }] });
        const v = typedValue(ran.result.results[0] as OpResult, 'reg.value');
        last = show(v);
        if (!v.exists) {
          gone = true;
          seenAt = now() - started;
          break;
        }
      } catch (e) {
        last = `read failed: ${message(e)}`;
      }
    }
    if (gone) {
      ctx.rows.push({ op: 'task (revert ran)', ok: true, summary: `the task deleted the value: 1 → absent, seen ${Math.round(seenAt / 1000)} s after scheduling` });
    } else {
      ctx.rows.push({ op: 'task (revert ran)', ok: false, summary: `after ${Math.round(waitMs / 1000)} s the value is still ${last}: the task did not run (see Task Scheduler \\rdp-medic\\ and its history)` });
      // Put the host back: cancel the task, delete the value if it still holds what we wrote.
      await step(ctx, 'cleanup', [{ id: 'cancel', op: 'task.cancel', name: SELFTEST_TASKS.revert }, regDelete('delete', { path: SELFTEST_KEY, name: SELFTEST_VALUE, exists: true, kind: 'DWord', data: 1 })], (res) => {
        okAt(res, 0);
        okAt(res, 1);
        return 'cancelled the revert task and deleted the value';
      });
    }
  }
  const second = await step(ctx, 'task.scheduleRevert', [{ id: 'schedule', op: 'task.scheduleRevert', name: SELFTEST_TASKS.cancel, afterMinutes: 60, restore: [restore] }], (res) => {
    const prev = previousOf(res, 0, 'task.scheduleRevert');
    return `second task \\rdp-medic\\${SELFTEST_TASKS.cancel} due in 60 min${prev.existed ? ' (replaced a task left by an earlier run)' : ''}`;
  });
  if (!second) {
    skip(ctx, 'task.cancel', 'the second task was not scheduled');
    return;
  }
  await step(ctx, 'task.cancel', [{ id: 'cancel', op: 'task.cancel', name: SELFTEST_TASKS.cancel }], (res) => {
    const prev = previousOf(res, 0, 'task.cancel');
    const after = (okAt(res, 0).value as { existed?: unknown } | null)?.existed;
    if (!prev.existed) throw new StepFailure(`task.cancel found no task ${SELFTEST_TASKS.cancel}: it was not registered`);
    if (after !== false) throw new StepFailure(`task.cancel reported ${JSON.stringify(after)}, expected existed false`);
    return `\\rdp-medic\\${SELFTEST_TASKS.cancel} existed → removed before it ran`;
  });
}

/** The end state compared with the first: what differs is a failure; what no operation can remove is named. */
function verifyRow(before: HostState, after: HostState, ms: number): SelftestRow {
  const diffs: string[] = [];
  const cmp = (what: string, a: unknown, b: unknown): void => {
    if (JSON.stringify(a) !== JSON.stringify(b)) diffs.push(`${what} was ${JSON.stringify(a)}, is ${JSON.stringify(b)}`);
  };
  cmp(`${SELFTEST_VALUE}`, typeof before.value === 'string' ? before.value : show(before.value), typeof after.value === 'string' ? after.value : show(after.value));
  const svc = (s: HostState['service']) => (typeof s === 'string' ? s : `${s.state ?? '?'} ${s.startType ?? '?'}`);
  cmp(SELFTEST_SERVICE, svc(before.service), svc(after.service));
  cmp(SELFTEST_FW_RULE, before.rule, after.rule);
  cmp(`${SELFTEST_MEMBER} in ${SELFTEST_GROUP}`, before.member, after.member);
  cmp(UAR, before.uar, after.uar);
  cmp(`${RDP_STORE} store`, before.rdpCerts, after.rdpCerts);
  cmp(`${SELFTEST_CERT_STORE} store`, before.selftestStore, after.selftestStore);
  if (diffs.length) return { op: 'verify', ok: false, ms, summary: `the host is NOT as found: ${diffs.join('; ')}` };
  const left: string[] = [];
  if (typeof after.key !== 'string' && after.key.exists && !(typeof before.key !== 'string' && before.key.exists)) left.push(`the empty key ${SELFTEST_KEY}`);
  if (after.selftestStore === 0) left.push(`the empty certificate store ${SELFTEST_CERT_STORE} (if the move ran)`);
  return { op: 'verify', ok: true, ms, summary: `host as found (value, service, rule, group, CIM, certificates)${left.length ? `; left behind, no operation removes them: ${left.join(', ')}` : ''}` };
}

/** Runs the write selftest; the first row reads the host, the last compares it with what was read first. Never throws for host failures. */
export async function runWriteSelftest(runner: PowerShellRunner, opts: WriteSelftestOptions = {}): Promise<SelftestRow[]> {
  const ctx: Ctx = { runner, rows: [] };
  let first: Awaited<ReturnType<typeof readState>>;
  try {
    first = await readState(runner);
  } catch (e) {
    return [{ op: 'read state', ok: false, summary: `could not read the host: ${message(e)}` }];
  }
  const s = first.state;
  ctx.rows.push({ op: 'read state', ok: true, ms: first.ms, summary: `${s.host}: runtime ${first.runtime}, ${s.os}` });

  if (typeof s.value === 'string') ctx.rows.push({ op: 'reg.set', ok: false, summary: `could not read ${SELFTEST_KEY}\\${SELFTEST_VALUE}: ${s.value}` });
  else if (s.value.exists) ctx.rows.push({ op: 'reg.set', ok: false, summary: `${SELFTEST_KEY}\\${SELFTEST_VALUE} already exists (${show(s.value)}), left by an interrupted run? Delete it (Remove-ItemProperty) and run again` });
  const checkWorks = typeof s.value !== 'string' && !s.value.exists && (await registrySteps(ctx, s.value));

  if (typeof s.service === 'string') ctx.rows.push({ op: 'service.control', ok: false, summary: `could not read ${SELFTEST_SERVICE}: ${s.service}` });
  else {
    await serviceSteps(ctx, s.service);
    if (typeof s.rdpCerts !== 'string') await removeGeneratedCerts(ctx, s.rdpCerts.map((c) => c.thumbprint));
  }

  if (typeof s.rule === 'string') ctx.rows.push({ op: 'fw.enable', ok: false, summary: `could not read ${SELFTEST_FW_RULE}: ${s.rule}` });
  else await firewallSteps(ctx, s.rule);

  if (typeof s.member === 'string') ctx.rows.push({ op: 'group.add', ok: false, summary: `could not read ${SELFTEST_GROUP}: ${s.member}` });
  else await groupSteps(ctx, s.member);

  if (typeof s.uar === 'string') ctx.rows.push({ op: 'cim.invoke', ok: false, summary: `could not read ${UAR}: ${s.uar}` });
  else await cimStep(ctx, s.uar);

  if (typeof s.rdpCerts === 'string' || typeof s.selftestStore === 'string') {
    ctx.rows.push({ op: 'cert.move', ok: false, summary: `could not list the certificate stores: ${typeof s.rdpCerts === 'string' ? s.rdpCerts : String(s.selftestStore)}` });
  } else await certSteps(ctx, s.rdpCerts, s.selftestStore, checkWorks);

  if (typeof s.value !== 'string' && !s.value.exists) await taskSteps(ctx, s.value, opts);
  else skip(ctx, 'task.scheduleRevert', `${SELFTEST_KEY}\\${SELFTEST_VALUE} could not be used (see above)`);

  try {
    const last = await readState(runner);
    ctx.rows.push(verifyRow(s, last.state, last.ms));
  } catch (e) {
    ctx.rows.push({ op: 'verify', ok: false, summary: `could not read the host again: ${message(e)}` });
  }
  return ctx.rows;
}

/** The one-line end of the table: every step passed, or how many failed. */
export function writeSelftestSummary(rows: SelftestRow[]): string {
  const failed = rows.filter((r) => !r.ok);
  const skipped = rows.filter((r) => r.skipped).length;
  const steps = `${rows.length} steps, ${rows.length - failed.length - skipped} passed, ${skipped} skipped, ${failed.length} failed`;
  return failed.length ? `write selftest FAILED: ${steps} (${failed.map((r) => r.op).join(', ')})` : `write selftest passed: ${steps}`;
}
