// The inventory as chat shows it: host ids, the address users type, groups and tags. Only what is
// safe to show: no WinRM endpoints, credential names or secrets ever reach this card.
import type { Card } from '../chat/model.ts';
import { capLines, plural } from './text.ts';

export interface InventoryEntry {
  id: string;
  address?: string;
  groups?: readonly string[];
  tags?: readonly string[];
}

export const MAX_HOST_LINES = 40;

function line(h: InventoryEntry): string {
  const parts = [h.address && h.address !== h.id ? `${h.id} (${h.address})` : h.id];
  if (h.groups?.length) parts.push(`groups: ${h.groups.join(', ')}`);
  if (h.tags?.length) parts.push(`tags: ${h.tags.join(', ')}`);
  return parts.join(' · ');
}

export function hostsList(inventory: readonly InventoryEntry[]): Card {
  const sorted = [...inventory].sort((a, b) => a.id.localeCompare(b.id));
  return {
    title: `${plural(sorted.length, 'host')} in the inventory`,
    status: 'info',
    sections: sorted.length
      ? [{ kind: 'text', text: capLines(sorted.map(line), MAX_HOST_LINES).join('\n') }]
      : [{ kind: 'text', text: 'The inventory is empty: add hosts to the config file.' }],
    actions: [],
    footer: 'check HOST, check group:NAME or check tag:NAME',
  };
}
