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
