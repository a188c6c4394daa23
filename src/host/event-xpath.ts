// The XPath filters of an events.query op, built here so the runtime only runs them. The event log
// service rejects a query with too many terms, so ids go in chunks of 15 (one XPath per chunk).
import type { Operation } from './operations.ts';

const IDS_PER_QUERY = 15;

export interface EventQuerySpec {
  id: string;
  log: string;
  providers: string[];
  ids?: number[];
  sinceMinutes: number;
  max: number;
}

/** Provider names are quoted in XPath with ' and cannot contain one. */
function providerClause(providers: string[]): string {
  if (providers.length === 0) return '';
  return `Provider[${providers.map((p) => `@Name='${p.replace(/'/g, '')}'`).join(' or ')}] and `;
}

export function eventXPaths(spec: Omit<EventQuerySpec, 'id' | 'log' | 'max'>): string[] {
  const ms = spec.sinceMinutes * 60_000;
  const ids = spec.ids ?? [];
  const chunks: string[] = [];
  if (ids.length === 0) chunks.push('');
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    chunks.push(`(${ids.slice(i, i + IDS_PER_QUERY).map((id) => `EventID=${Math.trunc(id)}`).join(' or ')}) and `);
  }
  return chunks.map((chunk) => `*[System[${providerClause(spec.providers)}${chunk}TimeCreated[timediff(@SystemTime) <= ${ms}]]]`);
}

/** An events.query op with its XPath filters. */
export function eventsQueryOp(spec: EventQuerySpec): Extract<Operation, { op: 'events.query' }> {
  return { ...spec, op: 'events.query', xpaths: eventXPaths(spec) };
}
