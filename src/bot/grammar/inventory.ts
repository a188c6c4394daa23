// The part of the inventory the grammar needs: host ids with their groups and tags. A chat command
// can only name these; addresses, URLs and credentials stay in the config.
import type { Config } from '../../config/schema.ts';

export interface InventoryHost {
  id: string;
  groups: string[];
  tags: string[];
}

export interface Inventory {
  hosts: InventoryHost[];
}

export function inventoryOf(config: Pick<Config, 'hosts'>): Inventory {
  return { hosts: Object.entries(config.hosts).map(([id, h]) => ({ id, groups: h.groups, tags: h.tags })) };
}

/** Every distinct group or tag name, sorted. */
export function namesOf(inventory: Inventory, by: 'groups' | 'tags'): string[] {
  return [...new Set(inventory.hosts.flatMap((h) => h[by]))].sort((a, b) => a.localeCompare(b));
}

/**
 * What a user may target, for suggestions: the hosts `may` allows, and the groups and tags holding
 * at least one of them (names of hosts out of scope are not shown to those who cannot touch them).
 */
export function namesWithin(inventory: Inventory, may: (host: string) => boolean): { names: string[]; groups: string[]; tags: string[] } {
  const mine = { hosts: inventory.hosts.filter((h) => may(h.id)) };
  return { names: mine.hosts.map((h) => h.id), groups: namesOf(mine, 'groups'), tags: namesOf(mine, 'tags') };
}
