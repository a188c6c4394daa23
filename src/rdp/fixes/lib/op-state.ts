// What the facts say about one write op: does its precondition hold, does the state it produces
// already hold? undoFix uses it to refuse an undo on a changed host before touching anything, to
// skip steps the host already reverted (the revert task ran), and to verify the restoration.
import type { HostFacts } from '../../read-plan.ts';
import type { Operation, RegistryValueState } from '../../../host/operations.ts';
import { isMember } from './accounts.ts';
import { ADMINISTRATORS_SID, computerName, fact, Missing, RDP_STORE, RDU_SID, regState, service } from './facts.ts';

export interface OpState {
  /** Precondition holds (undefined: the facts cannot tell, or the op has none). */
  pre: boolean | undefined;
  /** The state the op produces already holds (undefined: the facts cannot tell). */
  post: boolean | undefined;
  /** Plain words: what the host shows now. */
  now: string;
}

type RegExpect = Omit<RegistryValueState, 'path' | 'name'>;

export const describeReg = (s: RegExpect): string => (s.exists ? `${s.kind ?? '?'} ${JSON.stringify(s.data)}` : 'absent');

function sameReg(a: RegExpect, b: RegExpect): boolean {
  if (a.exists !== b.exists) return false;
  if (!a.exists) return true;
  if (a.kind !== b.kind) return false;
  if (typeof a.data === 'number' && typeof b.data === 'number') return a.data >>> 0 === b.data >>> 0;
  if (typeof a.data === 'string' && typeof b.data === 'string' && a.kind === 'Binary') return a.data.toLowerCase() === b.data.toLowerCase();
  return JSON.stringify(a.data) === JSON.stringify(b.data);
}

const RDP_SERVICE_NAMES = ['TermService', 'UmRdpService', 'SessionEnv', 'CryptSvc', 'KeyIso', 'CertPropSvc'] as const;
const unknown = (what: string): OpState => ({ pre: undefined, post: undefined, now: `${what}: not in the diagnosis facts` });

function certStore(facts: HostFacts, store: string) {
  const s = store.toLowerCase();
  const f = s === RDP_STORE.toLowerCase() ? facts.certsRemoteDesktop : s === 'my' ? facts.certsMy : undefined;
  if (!f) return undefined;
  const v = fact(f, store);
  return v instanceof Missing ? undefined : v;
}

export function opState(op: Operation, facts: HostFacts): OpState {
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete': {
      const cur = regState(facts, op.path, op.name);
      if (cur instanceof Missing) return unknown(`${op.path}\\${op.name}`);
      const target: RegExpect = op.op === 'reg.set' ? { exists: true, kind: op.kind, data: op.data } : { exists: false, kind: null, data: null };
      return { pre: op.expect ? sameReg(cur, op.expect) : undefined, post: sameReg(cur, target), now: `${op.path}\\${op.name} is ${describeReg(cur)}` };
    }
    case 'service.startType':
    case 'service.control': {
      const name = RDP_SERVICE_NAMES.find((n) => n.toLowerCase() === op.name.toLowerCase());
      const s = name ? service(facts, name) : undefined;
      if (!s || s instanceof Missing) return unknown(`service ${op.name}`);
      if (op.op === 'service.startType') {
        return { pre: op.expectStartType ? s.startType === op.expectStartType : undefined, post: s.startType === op.startType, now: `${op.name} start type is ${s.startType ?? '?'}` };
      }
      const post = op.action === 'start' ? s.state === 'Running' : op.action === 'stop' ? s.state === 'Stopped' : undefined;
      return { pre: op.expectState ? s.state === op.expectState : undefined, post, now: `${op.name} is ${s.state ?? '?'}` };
    }
    case 'fw.enable': {
      const rules = fact(facts.firewallRules, 'firewall rules');
      if (rules instanceof Missing) return unknown('firewall rules');
      const enabledOf = (n: string) => rules.find((r) => r.name.toLowerCase() === n.toLowerCase())?.enabled;
      const pre = op.expect ? Object.entries(op.expect).every(([n, want]) => enabledOf(n) === want) : undefined;
      return { pre, post: op.names.every((n) => enabledOf(n) === op.enabled), now: op.names.map((n) => `${n} ${enabledOf(n) === undefined ? 'missing' : enabledOf(n) ? 'enabled' : 'disabled'}`).join(', ') };
    }
    case 'group.add':
    case 'group.remove': {
      const g = op.groupSid.toUpperCase() === RDU_SID ? facts.remoteDesktopUsers : op.groupSid.toUpperCase() === ADMINISTRATORS_SID ? facts.administrators : undefined;
      const members = g ? fact(g, op.groupSid) : undefined;
      if (!members || members instanceof Missing) return unknown(`group ${op.groupSid}`);
      const present = isMember(op.member, members, computerName(facts));
      return { pre: undefined, post: op.op === 'group.add' ? present : !present, now: `${op.member} is ${present ? '' : 'not '}a member of ${op.groupSid}` };
    }
    case 'cert.move':
    case 'cert.remove': {
      const t = op.thumbprint.toUpperCase();
      const from = certStore(facts, op.op === 'cert.move' ? op.fromStore : op.store);
      const to = op.op === 'cert.move' ? certStore(facts, op.toStore) : undefined;
      const inFrom = from?.some((c) => c.thumbprint.toUpperCase() === t);
      const inTo = to?.some((c) => c.thumbprint.toUpperCase() === t);
      const post = op.op === 'cert.move' ? (inTo !== undefined ? inTo : inFrom === undefined ? undefined : !inFrom) : inFrom === undefined ? undefined : !inFrom;
      return { pre: inFrom, post, now: `certificate ${t} is ${inFrom ? 'in' : inFrom === false ? 'not in' : 'unknown in'} ${op.op === 'cert.move' ? op.fromStore : op.store}` };
    }
    default:
      return unknown(op.op);
  }
}
