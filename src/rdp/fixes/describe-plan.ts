// A fix plan in plain words, one line per write ("Set ...\RDP-Tcp\SecurityLayer from 0 to 2"), so an
// approver sees exactly what will change before clicking. Reads are not listed: they change nothing.
import type { Operation, Plan, RegistryData } from '../../host/operations.ts';

const shortPath = (path: string): string => path.replace(/^HKLM:\\?/i, 'HKLM\\').replace(/^HKEY_LOCAL_MACHINE\\/i, 'HKLM\\');

function regData(d: RegistryData | null | undefined): string {
  if (d === null || d === undefined) return 'nothing';
  return Array.isArray(d) ? `[${d.join(', ')}]` : String(d);
}

/** One write in plain words (null: a read, which changes nothing). */
export function describeOp(op: Operation): string | null {
  switch (op.op) {
    case 'reg.set': {
      const from = op.expect ? (op.expect.exists ? ` from ${regData(op.expect.data)}` : ' (not set now)') : '';
      return `Set ${shortPath(op.path)}\\${op.name}${from} to ${regData(op.data)} (${op.kind})`;
    }
    case 'reg.delete':
      return `Delete ${shortPath(op.path)}\\${op.name}${op.expect?.exists ? ` (now ${regData(op.expect.data)})` : ''}`;
    case 'service.control':
      return `${op.action[0]!.toUpperCase()}${op.action.slice(1)} the ${op.name} service${op.expectState ? ` (now ${op.expectState})` : ''}`;
    case 'service.startType':
      return `Set the ${op.name} service's start type${op.expectStartType ? ` from ${op.expectStartType}` : ''} to ${op.startType}`;
    case 'fw.enable':
      return `${op.enabled ? 'Enable' : 'Disable'} firewall rule${op.names.length === 1 ? '' : 's'} ${op.names.join(', ')}`;
    case 'cert.remove':
      return `Remove certificate ${op.thumbprint} from ${op.store}`;
    case 'cert.move':
      return `Move certificate ${op.thumbprint} from ${op.fromStore} to ${op.toStore}`;
    case 'group.add':
      return `Add ${op.member} to local group ${op.groupSid}`;
    case 'group.remove':
      return `Remove ${op.member} from local group ${op.groupSid}`;
    case 'cim.invoke':
      return `Call ${op.className}.${op.method}(${Object.entries(op.args).map(([k, v]) => `${k}=${String(v)}`).join(', ')})`;
    case 'task.scheduleRevert':
      return `Schedule a task that reverts this change on the host after ${op.afterMinutes} minutes, unless undone first`;
    case 'task.cancel':
      return `Cancel the scheduled revert task ${op.name}`;
    default:
      return null;
  }
}

/**
 * Restart steps (contract v2 has start and stop only): a stop of X followed by a start of X reads
 * "Restart"; the starts right after it (expect Stopped) are the dependents the stop stopped.
 */
function restartLines(ops: Operation[]): Map<number, string | null> {
  const out = new Map<number, string | null>();
  for (let i = 0; i < ops.length; i++) {
    const stop = ops[i];
    const start = ops[i + 1];
    if (stop?.op !== 'service.control' || stop.action !== 'stop' || start?.op !== 'service.control' || start.action !== 'start') continue;
    if (stop.name.toLowerCase() !== start.name.toLowerCase()) continue;
    const deps: string[] = [];
    let j = i + 2;
    for (; j < ops.length; j++) {
      const dep = ops[j];
      if (dep?.op !== 'service.control' || dep.action !== 'start' || dep.expectState !== 'Stopped') break;
      deps.push(dep.name);
      out.set(j, null);
    }
    out.set(i, `Restart the ${stop.name} service${stop.expectState ? ` (now ${stop.expectState})` : ''}${deps.length ? `, and start ${deps.join(', ')} again (stopping ${stop.name} stops ${deps.length === 1 ? 'it' : 'them'})` : ''}`);
    out.set(i + 1, null);
    i = j - 1;
  }
  return out;
}

export function describePlan(plan: Plan): string[] {
  const restarts = restartLines(plan.ops);
  return plan.ops.map((op, i) => (restarts.has(i) ? (restarts.get(i) ?? null) : describeOp(op))).filter((line): line is string => line !== null);
}
