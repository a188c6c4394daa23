// Small edits scenarios share.
import type { EventRecord } from '../../host/operations.ts';
import type { HostModel, ModelService } from '../model/host-model.ts';

export function service(model: HostModel, name: string): ModelService {
  const s = model.services[name.toLowerCase()];
  if (!s) throw new Error(`scenario: the model has no service ${name}`);
  return s;
}

export function event(now: Date, minutesAgo: number, e: Omit<EventRecord, 'timeCreated'>): EventRecord {
  return { ...e, timeCreated: new Date(now.getTime() - minutesAgo * 60_000).toISOString() };
}

export const RCM_PROVIDER = 'Microsoft-Windows-TerminalServices-RemoteConnectionManager';
