// The read-only commands: status HOST, history HOST, hosts, help. Answered from Redis and the
// config at once, without a worker.
import type { AuditEntry } from '../../state/audit/index.ts';
import { help, historyCard, hostsList, type HistoryEntry } from '../../cards/index.ts';
import { diagnosisRoot } from '../../cards/index.ts';
import { formatTime } from '../../cards/time.ts';
import { busyMessage } from '../../state/fix-lock.ts';
import { USAGE, type ParsedCommand } from '../grammar.ts';
import type { Card, ChatUser } from '../../chat/model.ts';
import type { BotContext } from './context.ts';

const SUMMARY: Record<keyof typeof USAGE, string> = {
  check: 'Diagnose RDP on a host, or on every host of a group or tag (one summary)',
  fix: 'Ask for a fix; it runs after an authorized approval',
  undo: 'Put back what a fix changed (the id is on the fix result)',
  status: "The host's last verdict and whether a fix is running",
  history: "The host's recent commands, approvals and results",
  hosts: 'The hosts I can check',
  help: 'This list',
};

export function helpCard(topic: keyof typeof USAGE | null): Card {
  const subs = (topic ? [topic] : (Object.keys(USAGE) as (keyof typeof USAGE)[])).map((s) => ({ usage: USAGE[s], summary: SUMMARY[s] }));
  return help(subs, { prefix: '/rdp' });
}

/** The hosts this user may check; the others are counted, not named. */
export function hostsCard(ctx: BotContext, user: ChatUser): Card {
  const checkable = ctx.state.policy.checkable(user);
  const all = Object.entries(ctx.config.hosts);
  const mine = all.filter(([id]) => checkable(id));
  const card = hostsList(mine.map(([id, h]) => ({ id, address: h.address, groups: h.groups, tags: h.tags })));
  const hidden = all.length - mine.length;
  if (hidden === 0) return card;
  return { ...card, sections: [...card.sections, { kind: 'text', text: `${hidden} more host${hidden === 1 ? ' is' : 's are'} outside your roles' scope.` }] };
}

export async function statusCard(ctx: BotContext, host: string, user: ChatUser): Promise<Card> {
  const [last, lock] = await Promise.all([ctx.state.diagnoses.last(host), ctx.state.locks.holder(host)]);
  const busy = lock ? busyMessage(host, lock) : `No fix is running on ${host}.`;
  if (!last) return { title: `${host}: not checked yet`, status: 'info', sections: [{ kind: 'text', text: `${busy} Run \`/rdp check ${host}\` for a diagnosis.` }], actions: [] };
  const card = diagnosisRoot(last.diagnosis, user);
  return { ...card, title: `${card.title} (as of ${formatTime(last.at)})`, sections: [{ kind: 'text', text: busy }, ...card.sections], actions: [] };
}

function historyLine(e: AuditEntry): HistoryEntry {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const text =
    e.kind === 'refusal' ? `refused (${String(d['stage'] ?? '')}): ${String(d['text'] ?? '')}: ${String(d['reason'] ?? '')}`
    : e.kind === 'command' && 'click' in d ? `pressed ${String(d['click'])}`
    : e.kind === 'command' ? `command: ${String(d['text'] ?? '')} (${String(d['outcome'] ?? '')})`
    : e.kind === 'decision' ? `${String(d['decision'] ?? 'decision')} ${String(d['fixId'] ?? '')} ${String(d['approvalId'] ?? '')}`.trim()
    : e.kind === 'plan' ? `plan for ${String((d['plan'] as { fixId?: string } | undefined)?.fixId ?? '?')} (${String(d['hash'] ?? '').slice(0, 12)})`
    : e.kind === 'verification' ? `verification: ${d['verified'] ? 'verified' : 'not verified'}`
    : 'diagnosis' in d ? `diagnosis: ${String((d['diagnosis'] as { headline?: string } | undefined)?.headline ?? '')}`
    : `result: ${String(d['message'] ?? '')}`;
  return { at: e.ts, kind: e.kind, ...(e.actorName ? { actor: e.actorName } : {}), text: text.slice(0, 300) };
}

export async function historyOf(ctx: BotContext, host: string): Promise<Card> {
  return historyCard((await ctx.state.audit.historyOf(host, 20)).map(historyLine), host);
}

export type InfoCommand = Extract<ParsedCommand, { kind: 'status' | 'history' | 'hosts' | 'help' }>;

export async function infoCard(ctx: BotContext, cmd: InfoCommand, user: ChatUser): Promise<Card> {
  if (cmd.kind === 'status') return statusCard(ctx, cmd.host, user);
  if (cmd.kind === 'history') return historyOf(ctx, cmd.host);
  if (cmd.kind === 'hosts') return hostsCard(ctx, user);
  return helpCard(cmd.topic);
}
