// Case-insensitive registry access over HostModel.registry. Paths are accepted in the spellings the
// runtime may send (HKLM:\, HKLM\, HKEY_LOCAL_MACHINE\, Registry::...) and stored canonically.
import type { RegistryValueState } from '../../host/operations.ts';
import type { HostModel, RegistryData, RegistryKey, RegistryKind, RegistryValue } from './host-model.ts';

const HIVES: Record<string, string> = {
  hklm: 'HKLM:', hkey_local_machine: 'HKLM:',
  hkcu: 'HKCU:', hkey_current_user: 'HKCU:',
  hku: 'HKU:', hkey_users: 'HKU:',
  hkcr: 'HKCR:', hkey_classes_root: 'HKCR:',
};

/** Canonical display path ("HKLM:\SYSTEM\..."), or null when the hive is not recognised. */
export function canonicalPath(path: string): string | null {
  let c = canonical.get(path);
  if (c === undefined) {
    // A host model asks for the same few dozen paths over and over.
    if (canonical.size >= 10_000) canonical.clear();
    c = canonicalize(path);
    canonical.set(path, c);
  }
  return c;
}

const canonical = new Map<string, string | null>();

function canonicalize(path: string): string | null {
  const p = path.replace(/^Microsoft\.PowerShell\.Core\\Registry::/i, '').replace(/^Registry::/i, '').replace(/\//g, '\\');
  const parts = p.split('\\').filter((s) => s.length > 0);
  const hive = HIVES[(parts[0] ?? '').replace(/:$/, '').toLowerCase()];
  if (!hive) return null;
  return [hive, ...parts.slice(1)].join('\\');
}

const keyOf = (canonical: string): string => canonical.toLowerCase();

export function getKey(model: HostModel, path: string): RegistryKey | undefined {
  const c = canonicalPath(path);
  return c ? model.registry[keyOf(c)] : undefined;
}

/** A key exists when stored or when any stored key lies below it. */
export function keyExists(model: HostModel, path: string): boolean {
  const c = canonicalPath(path);
  if (!c) return false;
  const k = keyOf(c);
  return k in model.registry || Object.keys(model.registry).some((p) => p.startsWith(k + '\\'));
}

export function subkeys(model: HostModel, path: string): string[] {
  const c = canonicalPath(path);
  if (!c) return [];
  const prefix = keyOf(c) + '\\';
  const names = new Map<string, string>();
  for (const key of Object.values(model.registry)) {
    if (!key.path.toLowerCase().startsWith(prefix)) continue;
    const child = key.path.slice(prefix.length).split('\\')[0];
    if (child && !names.has(child.toLowerCase())) names.set(child.toLowerCase(), child);
  }
  return [...names.values()].sort((a, b) => a.localeCompare(b));
}

export function getValue(model: HostModel, path: string, name: string): RegistryValue | undefined {
  return getKey(model, path)?.values[name.toLowerCase()];
}

/** A DWord/QWord as a number, or undefined when absent or not numeric. */
export function getNumber(model: HostModel, path: string, name: string): number | undefined {
  const v = getValue(model, path, name);
  return v && typeof v.data === 'number' ? v.data : undefined;
}

/** The state of a value; `path` and `name` are echoed as given, as the runtime does. */
export function valueState(model: HostModel, path: string, name: string): RegistryValueState {
  const v = getValue(model, path, name);
  return v ? { path, name, exists: true, kind: v.kind, data: structuredClone(v.data) } : { path, name, exists: false, kind: null, data: null };
}

/** Creates the key (with display case as given) when missing, like New-Item -Force. */
export function ensureKey(model: HostModel, path: string): RegistryKey {
  const c = canonicalPath(path);
  if (!c) throw new Error(`unsupported registry path: ${path}`);
  const k = keyOf(c);
  let key = model.registry[k];
  if (!key) {
    key = { path: c, values: {} };
    model.registry[k] = key;
  }
  return key;
}

export function setValue(model: HostModel, path: string, name: string, kind: RegistryKind, data: RegistryData): void {
  const key = ensureKey(model, path);
  const existing = key.values[name.toLowerCase()];
  key.values[name.toLowerCase()] = { name: existing?.name ?? name, kind, data: structuredClone(data) };
}

export function deleteValue(model: HostModel, path: string, name: string): boolean {
  const key = getKey(model, path);
  if (!key || !(name.toLowerCase() in key.values)) return false;
  delete key.values[name.toLowerCase()];
  return true;
}

/** Validates data against its kind (as the runtime does) and normalises Binary hex to lower case. */
export function normaliseData(kind: RegistryKind, data: RegistryData): { ok: true; data: RegistryData } | { ok: false; message: string } {
  const bad = (message: string) => ({ ok: false as const, message });
  switch (kind) {
    case 'String':
    case 'ExpandString':
      return typeof data === 'string' ? { ok: true, data } : bad(`${kind} needs a string`);
    case 'MultiString':
      return Array.isArray(data) ? { ok: true, data: [...data] } : bad('MultiString needs an array of strings');
    case 'Binary':
      return typeof data === 'string' && /^([0-9a-fA-F]{2})*$/.test(data) ? { ok: true, data: data.toLowerCase() } : bad('Binary needs even-length hex');
    case 'DWord':
      if (typeof data !== 'number' || !Number.isInteger(data) || data < 0 || data > 0xffffffff) return bad('DWord data must be an integer 0..4294967295');
      return { ok: true, data };
    case 'QWord':
      return typeof data === 'number' && Number.isInteger(data) && data >= 0 ? { ok: true, data } : bad('QWord needs a non-negative integer');
  }
}

/** Registry data equality (Binary hex case-insensitively; DWords compared unsigned). */
export function sameData(kind: RegistryKind | null, a: RegistryData | null, b: RegistryData | null): boolean {
  if (a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => x === b[i]);
  if (kind === 'Binary' && typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  if (kind === 'DWord' && typeof a === 'number' && typeof b === 'number') return a >>> 0 === b >>> 0;
  return a === b;
}
