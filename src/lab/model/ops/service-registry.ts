// HKLM\SYSTEM\CurrentControlSet\Services\<name> mirrors the service model (Start, Type, ObjectName,
// DependOnService, ...), so registry reads of a service agree with service.get, and writes of
// those values change the service (as sc.exe config does through the same registry values).
import type { StartType } from '../../../host/operations.ts';
import type { HostModel, ModelService, RegistryData, RegistryKind, RegistryValue } from '../host-model.ts';
import { canonicalPath } from '../registry.ts';

const PREFIX = 'hklm:\\system\\currentcontrolset\\services\\';
const START: StartType[] = ['Boot', 'System', 'Automatic', 'Manual', 'Disabled'];
const TYPES: Record<string, number> = { 'Kernel Driver': 1, 'File System Driver': 2, 'Own Process': 16, 'Share Process': 32 };

/** The service a path names exactly (not a subkey such as ...\Parameters), if the model has it. */
export function serviceAt(model: HostModel, path: string): ModelService | undefined {
  const c = canonicalPath(path)?.toLowerCase();
  if (!c?.startsWith(PREFIX)) return undefined;
  const rest = c.slice(PREFIX.length);
  return rest.includes('\\') ? undefined : model.services[rest];
}

export function serviceValues(s: ModelService): RegistryValue[] {
  const v: RegistryValue[] = [
    { name: 'DisplayName', kind: 'String', data: s.displayName },
    { name: 'Start', kind: 'DWord', data: START.indexOf(s.startType) },
    { name: 'Type', kind: 'DWord', data: TYPES[s.serviceType] ?? 32 },
  ];
  if (s.account !== null) v.push({ name: 'ObjectName', kind: 'String', data: s.account });
  if (s.dependsOn.length) v.push({ name: 'DependOnService', kind: 'MultiString', data: [...s.dependsOn] });
  if (s.delayedAutoStart) v.push({ name: 'DelayedAutostart', kind: 'DWord', data: 1 });
  return v;
}

/** Applies a write of a mirrored value; returns false when the name is not mirrored. */
export function writeServiceValue(s: ModelService, name: string, kind: RegistryKind, data: RegistryData | null): boolean | string {
  const n = name.toLowerCase();
  const num = kind === 'DWord' && typeof data === 'number' ? data : null;
  if (n === 'start') {
    const t = num === null ? undefined : START[num];
    if (!t) return 'Start must be a DWord 0..4';
    s.startType = t;
    return true;
  }
  if (n === 'type') {
    const t = Object.entries(TYPES).find(([, v]) => v === num)?.[0];
    if (!t) return 'Type must be a DWord service type';
    s.serviceType = t;
    return true;
  }
  if (n === 'objectname') {
    if (typeof data !== 'string') return 'ObjectName must be a string';
    s.account = data;
    return true;
  }
  if (n === 'delayedautostart') {
    s.delayedAutoStart = num !== null && num !== 0;
    return true;
  }
  return false;
}
