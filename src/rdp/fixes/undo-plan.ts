// Undo is a fix: the undo record's compare-and-set plan becomes a FixPlan with a risk class derived
// from what it writes, so it needs the same approval (four-eyes included) as a fix of that class.
// Undoing a fix that restored security puts the weaker setting back: weakens-security. Undoing
// one that gave access (a group membership, a firewall rule, a running service, RDP itself)
// takes it away again: disruptive. Anything else (a certificate put back, a task cancelled): safe.
// A weakening undo is time-boxed like the break-glass fix: its FIRST op registers the one-shot
// SYSTEM task that puts the secure values back after UNDO_TIME_BOX_MINUTES (each only while it
// still holds the weaker value the undo wrote), so the weaker setting cannot outlive the incident.
import { createHash } from 'node:crypto';
import type { Operation, RegistryRestore } from '../../host/operations.ts';
import { FIX_INFO } from './catalogue.ts';
import { isKnownFixId } from './index.ts';
import { planHash } from './lib/plan.ts';
import type { StoredUndoRecord } from '../undo-store.ts';
import type { FixPlan, FixRisk } from '../types.ts';

export const UNDO_TIME_BOX_MINUTES = 60;

type RegWrite = Extract<Operation, { op: 'reg.set' | 'reg.delete' }>;

const dword = (op: RegWrite): number | null => (op.op === 'reg.set' && typeof op.data === 'number' ? op.data >>> 0 : null);
const was = (op: RegWrite): number | null => {
  const left = op.expect;
  return left && left.exists && typeof left.data === 'number' ? left.data >>> 0 : null;
};

/** Registry values where a lower number is weaker security; deleting them restores the (weaker) default. */
const SECURITY_LEVELS = new Set(['securitylayer', 'userauthentication', 'minencryptionlevel']);
/** Registry values that, set back, take RDP access away (deny, listener off, port moved, limit back). */
const ACCESS_VALUES: Record<string, (data: number | null, before: number | null) => boolean> = {
  fdenytsconnections: (d) => d !== 0,
  fenablewinstation: (d) => d !== 1,
  flogondisabled: (d) => d !== 0,
  tsenabled: (d) => d !== 1,
  portnumber: (d, before) => d !== before,
  maxinstancecount: (d, before) => d !== before,
};

interface OpRisk {
  risk: FixRisk;
  why: string;
}

function regRisk(op: RegWrite): OpRisk | null {
  const name = op.name.toLowerCase();
  const data = dword(op);
  const before = was(op);
  const what = `${op.path.split('\\').slice(-2).join('\\')}\\${op.name}`;
  if (SECURITY_LEVELS.has(name) && (data === null || before === null || data < before)) return { risk: 'weakens-security', why: `puts back a weaker ${what}` };
  if (/\\SCHANNEL\\Protocols\\TLS 1\.[23]\\/i.test(op.path)) {
    const off = op.op === 'reg.delete' || (name === 'enabled' && data === 0) || (name === 'disabledbydefault' && data !== 0);
    if (off) return { risk: 'weakens-security', why: `turns ${what} back off` };
  }
  const access = ACCESS_VALUES[name];
  if (access && access(data, before)) return { risk: 'disruptive', why: `sets ${what} back, which takes RDP access away` };
  return null;
}

function opRisk(op: Operation): OpRisk | null {
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete':
      return regRisk(op);
    case 'group.remove':
      return { risk: 'disruptive', why: `removes ${op.member} from ${op.groupSid}, which takes their RDP logon away` };
    case 'fw.enable':
      return op.enabled ? null : { risk: 'disruptive', why: `disables the firewall rule(s) ${op.names.join(', ')}` };
    case 'service.control':
      return op.action === 'stop' ? { risk: 'disruptive', why: `stops ${op.name}` } : null;
    case 'service.startType':
      return op.startType === 'Disabled' ? { risk: 'disruptive', why: `disables ${op.name}` } : null;
    default:
      return null;
  }
}

const RANK: Record<FixRisk, number> = { safe: 0, disruptive: 1, 'weakens-security': 2 };

/** The risk class of putting `ops` on a host, and why (one reason per risky write). */
export function undoRisk(ops: readonly Operation[]): { risk: FixRisk; reasons: string[] } {
  const found = ops.map(opRisk).filter((r): r is OpRisk => r !== null);
  const risk = found.reduce<FixRisk>((worst, r) => (RANK[r.risk] > RANK[worst] ? r.risk : worst), 'safe');
  return { risk, reasons: found.map((r) => r.why) };
}

/** The secure values a weakening undo puts back when its time box ends: what each weakening write found. */
function timeBoxRestores(ops: readonly Operation[]): RegistryRestore[] {
  return ops.flatMap((op): RegistryRestore[] => {
    if ((op.op !== 'reg.set' && op.op !== 'reg.delete') || regRisk(op)?.risk !== 'weakens-security' || !op.expect) return [];
    const wrote = op.op === 'reg.set' ? { kind: op.kind, data: op.data } : null;
    return [{ path: op.path, name: op.name, wrote, previous: { exists: op.expect.exists, kind: op.expect.kind, data: op.expect.data } }];
  });
}

/** The name every weakening undo's time-box task starts with. */
export const UNDO_RELOCK_PREFIX = 'rdp-medic-relock-';

/** `rdp-medic-relock-<8 hex>`, from the undo id: the same record gives the same plan (and hash) whenever it is built. */
export function undoRevertTaskName(undoId: string): string {
  return `${UNDO_RELOCK_PREFIX}${createHash('sha256').update(undoId).digest('hex').slice(0, 8)}`;
}

/**
 * The ops an undo runs: for a weakening undo first the task that ends its time box, then the
 * record's plan, then cancelling the revert task the fix scheduled.
 */
export function undoOps(record: StoredUndoRecord): Operation[] {
  const ops = [...record.plan.ops];
  if (record.revertTask && !ops.some((o) => o.op === 'task.cancel' && o.name === record.revertTask)) ops.push({ id: 'undo-cancel-revert-task', op: 'task.cancel', name: record.revertTask });
  const restore = timeBoxRestores(ops);
  if (!restore.length) return ops;
  return [{ id: 'undo-schedule-relock', op: 'task.scheduleRevert', name: undoRevertTaskName(record.undoId), afterMinutes: UNDO_TIME_BOX_MINUTES, restore }, ...ops];
}

/** The undo of `record` on `host` as a plan to approve; its hash names exactly what undo will run. */
export function undoPlan(record: StoredUndoRecord, host: string): FixPlan {
  const apply = { ...record.plan, ops: undoOps(record) };
  const { risk, reasons } = undoRisk(apply.ops);
  const timeBoxed = apply.ops.some((o) => o.op === 'task.scheduleRevert');
  // What the card's Security line says it opens up: the weakening writes, in plain words.
  const weakening = apply.ops.flatMap((o) => {
    const r = opRisk(o);
    return r?.risk === 'weakens-security' ? [r.why] : [];
  });
  const fixTitle = isKnownFixId(record.fixId) ? FIX_INFO[record.fixId].title : record.fixId;
  const summary =
    `Puts back what ${record.fixId} changed on ${host} (undo ${record.undoId}, recorded ${record.createdAt}), compare-and-set: refused if the host changed since.` +
    (reasons.length ? ` It ${reasons.join('; ')}.` : ' It gives no access away and weakens nothing.') +
    (timeBoxed ? ` For ${UNDO_TIME_BOX_MINUTES} minutes only: the host puts the secure value(s) back itself then, unless someone changed them since.` : '');
  return {
    fixId: record.fixId,
    host,
    title: `Undo ${fixTitle}`,
    risk,
    impact: { disruptive: risk === 'disruptive', weakensSecurity: risk === 'weakens-security', drops: [], summary, ...(weakening.length ? { exposes: weakening.join('; ') } : {}) },
    apply,
    timeBoxMinutes: timeBoxed ? UNDO_TIME_BOX_MINUTES : null,
    verify: { recheck: [], expectRdpTls: false },
    hash: planHash(apply),
  };
}
