// What a fix opens up, in plain words, from the facts: which port to which addresses a firewall rule
// lets in once enabled. Rule data comes from the host, so every list is capped before it reaches a card.
import type { FirewallRule } from '../../../host/operations.ts';
import { isFactError, type HostFacts } from '../../read-plan.ts';
import { RDP_RULES } from './firewall.ts';

const MAX_ITEMS = 3;
const MAX_ITEM_CHARS = 60;

/** "a, b and 2 more": at most MAX_ITEMS items, each clipped (rule data is host input). */
function listOf(items: readonly string[]): string {
  const shown = items.slice(0, MAX_ITEMS).map((s) => (s.length > MAX_ITEM_CHARS ? `${s.slice(0, MAX_ITEM_CHARS - 1)}…` : s));
  if (items.length > MAX_ITEMS) return `${shown.join(', ')} and ${items.length - MAX_ITEMS} more`;
  return shown.length > 1 ? `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}` : (shown[0] ?? '');
}

const KEYWORDS: Record<string, string> = { any: 'any address', '*': 'any address', localsubnet: 'the local subnet', localsubnet4: 'the local subnet', localsubnet6: 'the local subnet' };

/** "any address", "the local subnet", "10.0.0.0/8 and 192.168.1.0/24". */
export function addressesPhrase(remote: readonly string[]): string {
  if (remote.length === 0) return 'any address';
  const words = [...new Set(remote.map((a) => KEYWORDS[a.trim().toLowerCase()] ?? a.trim()))];
  return words.includes('any address') ? 'any address' : listOf(words);
}

function portsOf(rule: FirewallRule): string {
  const ports = rule.localPorts.filter((p) => p.trim() !== '');
  if (ports.length === 0 || ports.some((p) => p.trim().toLowerCase() === 'any')) return 'on every port';
  return listOf(ports);
}

function protocolOf(rule: FirewallRule): string {
  const p = rule.protocol?.trim().toUpperCase();
  if (p && p !== 'ANY') return p;
  return /-UDP$/i.test(rule.name) ? 'UDP' : /-TCP$/i.test(rule.name) ? 'TCP' : 'every protocol';
}

/** The built-in Remote Desktop rules a fix would enable: off, and not delivered by Group Policy. */
function rulesToEnable(rules: readonly FirewallRule[]): FirewallRule[] {
  return RDP_RULES.flatMap((n) => rules.filter((r) => r.name.toLowerCase() === n.toLowerCase() && !r.enabled && r.policyStoreSourceType !== 'GroupPolicy'));
}

/**
 * "TCP and UDP 3389 to any address", "TCP 3389 to 10.0.0.0/8 (Domain network only)": what enabling
 * the Remote Desktop rules lets in. Null when no rule would be enabled; a fallback that says the
 * rules could not be read when the facts are missing.
 */
export function rdpRulesExposure(facts: HostFacts): string | null {
  const rules = facts.firewallRules;
  if (isFactError(rules)) return 'the RDP port to the addresses the Remote Desktop firewall rules allow (any address unless they are scoped; the rules could not be read)';
  const groups = new Map<string, { protocols: string[]; rest: string }>();
  for (const rule of rulesToEnable(rules)) {
    const profiles = rule.profiles.length && rule.profiles.length < 3 ? ` (${listOf(rule.profiles)} network${rule.profiles.length > 1 ? 's' : ''} only)` : '';
    const rest = `${portsOf(rule)} to ${addressesPhrase(rule.remoteAddresses)}${profiles}`;
    const g = groups.get(rest) ?? { protocols: [], rest };
    if (!g.protocols.includes(protocolOf(rule))) g.protocols.push(protocolOf(rule));
    groups.set(rest, g);
  }
  if (groups.size === 0) return null;
  return [...groups.values()].map((g) => `${listOf(g.protocols)} ${g.rest}`).join(' and ');
}
