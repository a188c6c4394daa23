// Registry lookups with Group Policy precedence (rdp-checks.md §1): a value under
// HKLM\SOFTWARE\Policies\Microsoft\Windows NT\Terminal Services wins over the RDP-Tcp / Terminal
// Server value. The registry is authoritative for SecurityLayer/UserAuthentication (the CIM
// property numbering differs between documents).
import type { ReadValueOf, RegistryData } from '../../../host/operations.ts';

export type RegKey = ReadValueOf<'reg.key'>;
export type RegValue = ReadValueOf<'reg.value'>;

export function regData(key: RegKey | undefined, name: string): RegistryData | undefined {
  if (!key || !key.exists) return undefined;
  const n = name.toLowerCase();
  return key.values.find((v) => v.name.toLowerCase() === n)?.data;
}

function toNumber(data: RegistryData | null | undefined): number | undefined {
  if (typeof data === 'number') return data;
  if (typeof data === 'string' && /^\s*-?\d+\s*$/.test(data)) return Number(data);
  return undefined;
}

export function regNumber(key: RegKey | undefined, name: string): number | undefined {
  return toNumber(regData(key, name));
}

export function valueNumber(v: RegValue | undefined): number | undefined {
  return v && v.exists ? toNumber(v.data) : undefined;
}

export interface Effective {
  value: number | undefined;
  source: 'policy' | 'local' | 'default';
  policy: number | undefined;
  local: number | undefined;
}

export function effectiveNumber(policy: RegKey, local: RegKey, name: string, defaultValue?: number): Effective {
  const pol = regNumber(policy, name);
  const loc = regNumber(local, name);
  if (pol !== undefined) return { value: pol, source: 'policy', policy: pol, local: loc };
  if (loc !== undefined) return { value: loc, source: 'local', policy: pol, local: loc };
  return { value: defaultValue, source: 'default', policy: pol, local: loc };
}

export const POLICY_EXPLANATION =
  'The deciding value comes from Group Policy (HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows NT\\Terminal Services). A local change would be undone at the next policy refresh, so rdp-medic proposes no local fix: change the GPO that sets it (run `gpresult /scope computer /h gp.html` on the host to find which one).';
