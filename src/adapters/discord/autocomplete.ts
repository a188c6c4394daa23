// Autocomplete answers for /rdp: inventory names (and group:/tag: targets for check) or fix ids
// matching what the user has typed so far. Pure and fast: Discord drops answers after 3 seconds.
import { LIMITS } from './limits.ts';

export interface InventoryNames {
  names: string[];
  groups: string[];
  tags: string[];
}

export interface Choice {
  name: string;
  value: string;
}

/** Prefix matches first, then substring matches, each alphabetical; at most 25. */
export function matchChoices(candidates: string[], typed: string): Choice[] {
  const q = typed.trim().toLowerCase();
  const fit = [...new Set(candidates)].filter((c) => c.length > 0 && c.length <= LIMITS.choiceText);
  const sorted = (xs: string[]): string[] => xs.sort((a, b) => a.localeCompare(b));
  const prefix = sorted(fit.filter((c) => c.toLowerCase().startsWith(q)));
  const inner = q ? sorted(fit.filter((c) => !c.toLowerCase().startsWith(q) && c.toLowerCase().includes(q))) : [];
  return [...prefix, ...inner].slice(0, LIMITS.choices).map((c) => ({ name: c, value: c }));
}

/** The choices for the focused option of a subcommand. */
export function autocompleteChoices(
  subcommand: string,
  option: string,
  typed: string,
  sources: { inventory: InventoryNames; fixIds: string[] },
): Choice[] {
  if (option === 'host') {
    const inv = sources.inventory;
    const targets = subcommand === 'check' ? [...inv.names, ...inv.groups.map((g) => `group:${g}`), ...inv.tags.map((t) => `tag:${t}`)] : inv.names;
    return matchChoices(targets, typed);
  }
  if (option === 'fix') return matchChoices(sources.fixIds, typed);
  return [];
}
