// Dispatch of every operation in operations.ts to its implementation against the model.
import type { Operation } from '../../../host/operations.ts';
import { certList, certMove, certRemove } from './cert-ops.ts';
import { cimInvoke, cimQuery } from './cim-ops.ts';
import { fwEnable, fwProfiles, fwRules } from './firewall-ops.ts';
import { groupAdd, groupMembers, groupRemove } from './group-ops.ts';
import { eventsQuery, fileAcl, ipAddresses, osInfo, rdpSessionsOp, tcpListenersOp } from './host-ops.ts';
import { regDelete, regKey, regSet, regValue } from './registry-ops.ts';
import { serviceControl, serviceGet, serviceStartType } from './service-ops.ts';
import { cancelTask, scheduleRevert } from './task-ops.ts';
import type { OpContext, OpOutcome } from './types.ts';

export type { OpContext, OpOutcome } from './types.ts';

export function runOp(ctx: OpContext, op: Operation): OpOutcome {
  switch (op.op) {
    case 'reg.value': return regValue(ctx, op);
    case 'reg.key': return regKey(ctx, op);
    case 'service.get': return serviceGet(ctx, op);
    case 'cim.query': return cimQuery(ctx, op);
    case 'cert.list': return certList(ctx, op);
    case 'fw.rules': return fwRules(ctx, op);
    case 'fw.profiles': return fwProfiles(ctx);
    case 'group.members': return groupMembers(ctx, op);
    case 'tcp.listeners': return tcpListenersOp(ctx, op);
    case 'ip.addresses': return ipAddresses(ctx);
    case 'events.query': return eventsQuery(ctx, op);
    case 'file.acl': return fileAcl(ctx, op);
    case 'os.info': return osInfo(ctx);
    case 'rdp.sessions': return rdpSessionsOp(ctx);
    case 'reg.set': return regSet(ctx, op);
    case 'reg.delete': return regDelete(ctx, op);
    case 'service.control': return serviceControl(ctx, op);
    case 'service.startType': return serviceStartType(ctx, op);
    case 'fw.enable': return fwEnable(ctx, op);
    case 'cert.remove': return certRemove(ctx, op);
    case 'cert.move': return certMove(ctx, op);
    case 'group.add': return groupAdd(ctx, op);
    case 'group.remove': return groupRemove(ctx, op);
    case 'cim.invoke': return cimInvoke(ctx, op);
    case 'task.scheduleRevert': return scheduleRevert(ctx, op);
    case 'task.cancel': return cancelTask(ctx, op);
    default: {
      const never: never = op;
      return { ok: false, error: { code: 'NotSupported', message: `Unknown op ${(never as { op: string }).op}` } };
    }
  }
}
