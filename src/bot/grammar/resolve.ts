// Names to inventory host ids. A chat user can name only hosts, groups and tags the inventory has;
// anything else is refused with the closest names, so no address of theirs ever reaches a worker.
import { closestNames, matchHostId } from '../../config/load.ts';
import type { HostId } from '../../config/schema.ts';
import { namesOf, type Inventory } from './inventory.ts';
import { grammarError, type GrammarError, type Target } from './types.ts';

const quoteList = (names: string[], max = 20): string => {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
};

export function resolveHost(inventory: Inventory, name: string): HostId | GrammarError {
  const hit = matchHostId(inventory.hosts.map((h) => h.id), name);
  if (hit !== undefined) return hit as HostId;
  const near = closestNames(name, inventory.hosts.map((h) => h.id));
  const asGroup = namesOf(inventory, 'groups').find((g) => g.toLowerCase() === name.toLowerCase());
  const asTag = namesOf(inventory, 'tags').find((t) => t.toLowerCase() === name.toLowerCase());
  const hints = [...near.map((n) => `"${n}"`), ...(asGroup ? [`group:${asGroup}`] : []), ...(asTag ? [`tag:${asTag}`] : [])];
  const hint = hints.length ? `; did you mean ${hints.join(', ')}?` : '; `hosts` lists the inventory';
  return grammarError('unknown-host', `unknown host "${name}": it is not in the inventory${hint}`);
}

function resolveSet(inventory: Inventory, by: 'group' | 'tag', name: string): HostId[] | GrammarError {
  const field = by === 'group' ? 'groups' : 'tags';
  const lower = name.toLowerCase();
  const hosts = inventory.hosts.filter((h) => h[field].some((x) => x.toLowerCase() === lower)).map((h) => h.id as HostId);
  if (hosts.length) return hosts;
  const known = namesOf(inventory, field);
  const near = closestNames(name, known);
  const list = known.length ? `known ${field}: ${quoteList(known)}` : `the inventory has no ${field}`;
  return grammarError(by === 'group' ? 'unknown-group' : 'unknown-tag', `unknown ${by} "${name}"${near.length ? ` (did you mean ${near.map((n) => `${by}:${n}`).join(', ')}?)` : ''}; ${list}`);
}

/**
 * "work-pc", "group:lab" or "tag:cert" to its host ids, at most maxTargets of them. With `within`, a
 * group or tag expands only to the hosts it allows; `outside` counts the ones it left out.
 */
export function resolveTarget(inventory: Inventory, text: string, maxTargets: number, within?: (host: HostId) => boolean): { target: Target; hosts: HostId[]; outside?: number } | GrammarError {
  const m = /^([a-z]+):(.*)$/i.exec(text);
  if (!m) {
    const host = resolveHost(inventory, text);
    return typeof host === 'string' ? { target: { by: 'host', name: host }, hosts: [host] } : host;
  }
  const kind = m[1]!.toLowerCase();
  const name = m[2]!;
  if (kind !== 'group' && kind !== 'tag') return grammarError('unknown-target-kind', `"${text}" is not a target: use HOST, group:NAME or tag:NAME`);
  if (!name) return grammarError('missing-argument', `"${text}" names no ${kind}: use ${kind}:NAME`);
  const all = resolveSet(inventory, kind, name);
  if (!Array.isArray(all)) return all;
  const hosts = within ? all.filter(within) : all;
  const outside = all.length - hosts.length;
  if (hosts.length > maxTargets) {
    const yours = outside ? ' you may check' : '';
    return grammarError('too-many-targets', `${kind}:${name} matches ${hosts.length} hosts${yours}; one command may target at most ${maxTargets}. Narrow it with a smaller group or a tag.`);
  }
  const canonical = namesOf(inventory, kind === 'group' ? 'groups' : 'tags').find((n) => n.toLowerCase() === name.toLowerCase()) ?? name;
  return { target: { by: kind, name: canonical }, hosts, ...(outside > 0 ? { outside } : {}) };
}
