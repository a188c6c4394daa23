// Facts for people: one line per fact of the read plan, saying what was read or why it could not be.
import { isFactError, type HostFacts } from './read-plan.ts';

function describe(value: unknown): string {
  if (Array.isArray(value)) return `${value.length} item(s)`;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('state' in v && 'startType' in v) return v.exists === false ? 'not installed' : `${String(v.state)}, start ${String(v.startType)}`;
    if ('values' in v && Array.isArray(v.values)) return v.exists === false ? 'key absent' : `${v.values.length} value(s)`;
    if ('exists' in v && 'data' in v) return v.exists ? `${String(v.kind)} ${JSON.stringify(v.data)}` : 'absent';
    if ('access' in v && Array.isArray(v.access)) return `${v.access.length} ACE(s), owner ${String(v.ownerSid)}`;
    if ('computerName' in v) return `${String(v.computerName)}, ${String(v.caption)} (${String(v.version)})`;
  }
  return JSON.stringify(value);
}

function lines(prefix: string, value: unknown): string[] {
  if (isFactError(value as never)) {
    const e = (value as { error: { code: string; message: string } }).error;
    return [`  ${prefix.padEnd(28)} UNREAD  ${e.code}: ${e.message}`];
  }
  return [`  ${prefix.padEnd(28)} ${describe(value)}`];
}

export function formatFacts(facts: HostFacts): string {
  const out = [`Facts of ${facts.host} (runtime ${facts.runtime})`];
  for (const [key, value] of Object.entries(facts)) {
    if (key === 'host' || key === 'runtime') continue;
    const nested = key === 'services' || key === 'schannel' || key === 'events';
    if (nested) for (const [k, v] of Object.entries(value as Record<string, unknown>)) out.push(...lines(`${key}.${k}`, v));
    else out.push(...lines(key, value));
  }
  return out.join('\n');
}
