// `rdp-medic selftest`: one plan with one of every read operation, run on a real host, checked
// against the value schemas. It is how an operator proves the runtime on a Windows build we have
// never run it on (docs/real-host-validation.md).
import { Plan, PLAN_VERSION, ReadValue } from '../host/operations.ts';
import type { Operation, ReadOpName, ReadValueOf } from '../host/operations.ts';
import { eventsQueryOp } from '../host/event-xpath.ts';
import { BOOTSTRAP_SCRIPT, buildStdin } from '../host/bootstrap.ts';
import type { PowerShellRunner } from '../host/executor.ts';
import { validatePlan } from '../host/executor.ts';
import { decodeFrames, parsePlanResult } from '../host/result.ts';
import { EVENT_QUERIES, MACHINE_KEYS_PATH, RDP_FIREWALL_GROUP, REGISTRY_PATHS } from './read-plan.ts';
import { RUNTIME_SHA256, RUNTIME_VERSION } from '../host/runtime.ts';

export interface SelftestRow {
  op: string;
  ok: boolean;
  ms?: number;
  summary: string;
  /** Not attempted, for the reason in the summary (selftest --writes); neither passed nor failed. */
  skipped?: boolean;
}

/** One op of every read kind; the id is the op name so the table reads naturally. */
export function buildSelftestPlan(): Plan {
  const ops: Operation[] = [
    { id: 'os.info', op: 'os.info' },
    { id: 'reg.value', op: 'reg.value', path: REGISTRY_PATHS.terminalServer, name: 'fDenyTSConnections' },
    { id: 'reg.key', op: 'reg.key', path: REGISTRY_PATHS.rdpTcp },
    { id: 'service.get', op: 'service.get', name: 'TermService' },
    {
      id: 'cim.query',
      op: 'cim.query',
      namespace: 'root\\cimv2\\TerminalServices',
      className: 'Win32_TSGeneralSetting',
      filter: "TerminalName='RDP-Tcp'",
    },
    { id: 'cert.list', op: 'cert.list', store: 'Remote Desktop' },
    { id: 'fw.rules', op: 'fw.rules', group: RDP_FIREWALL_GROUP, port: 3389 },
    { id: 'fw.profiles', op: 'fw.profiles' },
    { id: 'group.members', op: 'group.members', sid: 'S-1-5-32-544' },
    { id: 'tcp.listeners', op: 'tcp.listeners' },
    { id: 'ip.addresses', op: 'ip.addresses' },
    eventsQueryOp({ id: 'events.query', ...EVENT_QUERIES.scm, sinceMinutes: 7 * 24 * 60, max: 5 }),
    { id: 'file.acl', op: 'file.acl', path: MACHINE_KEYS_PATH },
    { id: 'rdp.sessions', op: 'rdp.sessions' },
  ];
  return Plan.parse({ version: PLAN_VERSION, mode: 'read', ops });
}

function count(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** A one-line, human summary of a validated value. */
function summarize(op: ReadOpName, value: unknown): string {
  switch (op) {
    case 'os.info': {
      const v = value as ReadValueOf<'os.info'>;
      return `${v.caption} ${v.version} (${v.editionId}, productType ${v.productType})`;
    }
    case 'reg.value': {
      const v = value as ReadValueOf<'reg.value'>;
      return v.exists ? `${v.name} = ${JSON.stringify(v.data)} (${v.kind})` : `${v.name} absent`;
    }
    case 'reg.key': {
      const v = value as ReadValueOf<'reg.key'>;
      return v.exists ? `${count(v.values.length, 'value')}, ${count(v.subkeys.length, 'subkey')}` : 'key absent';
    }
    case 'service.get': {
      const v = value as ReadValueOf<'service.get'>;
      return v.exists ? `${v.name} ${v.state}, ${v.startType}, pid ${v.processId ?? '-'}` : `${v.name} absent`;
    }
    case 'cert.list': {
      const v = value as ReadValueOf<'cert.list'>;
      const keys = v.slice(0, 2).map((c) => {
        const key = !c.hasPrivateKey ? 'none' : c.keyFile ? `file ${c.keyFile.path.split('\\').pop() ?? ''} (${count(c.keyFile.access.length, 'ACE')})` : 'file not found';
        return `${c.thumbprint.slice(0, 8)} key ${key}`;
      });
      return [count(v.length, 'certificate'), ...keys].join('; ');
    }
    case 'file.acl': {
      const v = value as ReadValueOf<'file.acl'>;
      return v.exists ? `owner ${v.ownerSid ?? '?'}, ${count(v.access.length, 'ACE')}` : 'path absent';
    }
    case 'rdp.sessions': {
      const v = value as ReadValueOf<'rdp.sessions'>;
      return [count(v.length, 'session'), ...v.map((x) => `${x.winStation}=${x.state}`)].join('; ');
    }
    default:
      return Array.isArray(value) ? count(value.length, 'item') : 'ok';
  }
}

/** Per-op milliseconds from the OP frames (the engine adds `ms`; the contract schema drops it). */
export function rawTimings(ops: unknown[]): Map<string, number> {
  const timings = new Map<string, number>();
  {
    for (const r of ops as { id?: unknown; ms?: unknown }[]) {
      if (typeof r?.id === 'string' && typeof r.ms === 'number') timings.set(r.id, r.ms);
    }
  }
  return timings;
}

/** Runs the selftest plan; the first row describes the runtime run itself. Never throws for host failures. */
export async function runSelftest(runner: PowerShellRunner): Promise<SelftestRow[]> {
  const plan = validatePlan(buildSelftestPlan());
  const started = Date.now();
  let run: { stdout: string; stderr: string; exitCode: number };
  try {
    run = await runner.runPowerShell(BOOTSTRAP_SCRIPT, buildStdin(plan));
  } catch (err) {
    return [{ op: 'runtime', ok: false, ms: Date.now() - started, summary: `could not run PowerShell: ${(err as Error).message}` }];
  }
  const ms = Date.now() - started;
  let result;
  let timings = new Map<string, number>();
  try {
    timings = rawTimings(decodeFrames(run.stdout, run).ops);
    result = parsePlanResult(run.stdout, plan, run);
  } catch (err) {
    return [{ op: 'runtime', ok: false, ms, summary: (err as Error).message }];
  }
  const rows: SelftestRow[] = [
    {
      op: 'runtime',
      ok: true,
      ms,
      summary: `${result.host}: runtime ${RUNTIME_VERSION} (sha256 ${RUNTIME_SHA256.slice(0, 12)}) ran ${plan.ops.length} ops in ${result.elapsedMs} ms`,
    },
  ];
  plan.ops.forEach((op, i) => {
    const r = result.results[i];
    const opMs = timings.get(op.id);
    const base = { op: op.op, ...(opMs !== undefined ? { ms: opMs } : {}) };
    if (!r) return;
    if (!r.ok) {
      rows.push({ ...base, ok: false, summary: `${r.error.code}: ${r.error.message}` });
      return;
    }
    const name = op.op as ReadOpName;
    const parsed = ReadValue[name].safeParse(r.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      rows.push({ ...base, ok: false, summary: `value shape mismatch at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? ''}` });
      return;
    }
    rows.push({ ...base, ok: true, summary: summarize(name, parsed.data) });
  });
  return rows;
}

/** A plain-text table for the terminal. */
export function formatSelftestTable(rows: SelftestRow[]): string {
  const cells = rows.map((r) => [r.op, r.skipped ? 'skip' : r.ok ? 'ok' : 'FAIL', r.ms === undefined ? '' : `${r.ms}`, r.summary.replace(/\s+/g, ' ')]);
  const header = ['op', 'result', 'ms', 'summary'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (i === 3 ? 0 : (c[i] ?? '').length))));
  const line = (c: string[]) =>
    c
      .map((x, i) => (i === 3 ? x : i === 2 ? x.padStart(widths[i] ?? 0) : x.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const skipped = rows.filter((r) => r.skipped).length;
  const passed = rows.filter((r) => r.ok && !r.skipped).length;
  const total = `${passed}/${rows.length - skipped} passed${skipped ? `, ${skipped} skipped` : ''}`;
  return [line(header), line(widths.map((w, i) => '-'.repeat(i === 3 ? 7 : w))), ...cells.map(line), '', total].join('\n');
}
