// evt-scan (§3.I): corroborating events in the last 24 hours, by provider and id (never message text).
import type { EventQueryName } from '../read-plan.ts';
import { isFactError } from '../read-plan.ts';
import { defineCheck } from './lib/check.ts';
import { minutesAgo } from './lib/dates.ts';
import { accessFailure, describeError, hostFacts } from './lib/facts.ts';

/** Event ids worth reporting per query, with what they point at. */
const NOTABLE: Partial<Record<EventQueryName, Record<number, string>>> = {
  rcmSystem: { 1057: 'RDP certificate key missing (cert-machinekeys-acl)', 1058: 'RDP certificate renewal failed (cert-machinekeys-acl)' },
  schannel: { 36870: 'TLS private key inaccessible', 36871: 'TLS credential could not be created (tls-schannel-protocols)', 36874: 'no common cipher suite (tls-cipher-fips)', 36887: 'TLS alert received', 36888: 'TLS alert sent' },
  termdd: { 50: 'RDP protocol-stream error', 56: 'RDP security-layer stream error' },
  scm: { 7022: 'service hung on start', 7023: 'service terminated with an error', 7024: 'service terminated with a service error', 7031: 'service crashed', 7034: 'service crashed' },
  rcmOperational: { 259: 'listener stopped', 1035: 'listener stack down (listener-state)', 1036: 'session creation failed', 1051: 'bound certificate not found', 1053: 'certificate expired', 1054: 'certificate EKU wrong', 1055: 'certificate key inaccessible', 1065: 'template certificate expired' },
  rcmAdmin: { 1006: 'too many incomplete connections (listener-throttling)' },
};

export const evtScan = defineCheck('evt-scan', 'Corroborating Windows events', 'info', (input, f) => {
  const facts = hostFacts(input);
  if (!facts) {
    const failure = accessFailure(input);
    return f.unknown(`Could not read the host's event logs: the host could not be read over WinRM (${failure?.message ?? 'no access'}).`, undefined, failure ? { hostAccess: failure.kind } : {});
  }
  const seen: Record<string, number> = {};
  const unreadable: string[] = [];
  for (const [query, ids] of Object.entries(NOTABLE) as [EventQueryName, Record<number, string>][]) {
    const fact = facts.events[query];
    if (isFactError(fact)) {
      unreadable.push(`${query} (${describeError(fact)})`);
      continue;
    }
    for (const e of fact) {
      const what = ids[e.id];
      if (what && minutesAgo(input.now, e.timeCreated) <= 24 * 60) {
        const key = `${e.provider.replace('Microsoft-Windows-TerminalServices-RemoteConnectionManager', 'RCM')} ${e.id}: ${what}`;
        seen[key] = (seen[key] ?? 0) + 1;
      }
    }
  }
  const evidence = { last24h: seen, unreadable };
  const list = Object.entries(seen).map(([k, n]) => `${k} ×${n}`);
  if (list.length) {
    return f.warning({
      summary: `The host logged RDP-related errors in the last 24 hours: ${list.slice(0, 4).join('; ')}${list.length > 4 ? `; and ${list.length - 4} more kinds` : ''}.`,
      explanation: 'These events corroborate the other findings (the check each one points at is named). They are evidence, not a separate cause; fix the finding they point at.',
      evidence,
    });
  }
  if (unreadable.length) return f.unknown(`Could not read every relevant event log (${unreadable.join('; ')}), and the readable ones show nothing notable.`, undefined, evidence);
  return f.ok('The host logged no RDP-related errors in the last 24 hours (certificate, Schannel, TermDD, service or listener events).', 'The event logs show nothing that contradicts the other findings.', evidence);
});
