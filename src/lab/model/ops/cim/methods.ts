// CIM methods the fixes call. Each writes the registry value the real provider writes and returns
// the WMI ReturnValue (0 = success; WBEM_E_INVALID_PARAMETER for rejected combinations, as SetSecurityLayer
// refuses SSL with encryption level Low [S22]).
import type { HostModel } from '../../host-model.ts';
import { effMinEncryption, effSecurityLayer } from '../../effective.ts';
import { RDP_FIREWALL_GROUP, RDP_TCP, TS } from '../../paths.ts';
import { setValue } from '../../registry.ts';

export const WBEM_E_INVALID_PARAMETER = 2147749896;
type Args = Record<string, string | number | boolean>;
type Method = (m: HostModel, args: Args) => number;

function arg(args: Args, name: string): number | undefined {
  const key = Object.keys(args).find((k) => k.toLowerCase() === name.toLowerCase());
  if (key === undefined) return undefined;
  const v = args[key];
  const n = typeof v === 'boolean' ? Number(v) : Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const dword = (m: HostModel, path: string, name: string, value: number): void => setValue(m, path, name, 'DWord', value >>> 0);

const METHODS: Record<string, Method> = {
  'win32_terminalservicesetting.setallowtsconnections': (m, a) => {
    const allow = arg(a, 'AllowTSConnections');
    const fw = arg(a, 'ModifyFirewallException') ?? 0;
    if (allow !== 0 && allow !== 1) return WBEM_E_INVALID_PARAMETER;
    dword(m, TS, 'fDenyTSConnections', allow === 1 ? 0 : 1);
    // The "Remote Desktop" firewall exception follows the new setting when asked to [S23].
    if (fw === 1) for (const r of m.firewall.rules) if (r.group === RDP_FIREWALL_GROUP) r.enabled = allow === 1;
    return 0;
  },
  'win32_tsgeneralsetting.setuserauthenticationrequired': (m, a) => {
    const v = arg(a, 'UserAuthenticationRequired');
    if (v !== 0 && v !== 1) return WBEM_E_INVALID_PARAMETER;
    dword(m, RDP_TCP, 'UserAuthentication', v);
    return 0;
  },
  'win32_tsgeneralsetting.setsecuritylayer': (m, a) => {
    const v = arg(a, 'SecurityLayer');
    if (v !== 0 && v !== 1 && v !== 2) return WBEM_E_INVALID_PARAMETER;
    if (v === 2 && effMinEncryption(m).value === 1) return WBEM_E_INVALID_PARAMETER;
    dword(m, RDP_TCP, 'SecurityLayer', v);
    return 0;
  },
  'win32_tsgeneralsetting.setencryptionlevel': (m, a) => {
    const v = arg(a, 'MinEncryptionLevel');
    if (v === undefined || !Number.isInteger(v) || v < 1 || v > 4) return WBEM_E_INVALID_PARAMETER;
    if (v === 1 && effSecurityLayer(m).value === 2) return WBEM_E_INVALID_PARAMETER;
    dword(m, RDP_TCP, 'MinEncryptionLevel', v);
    return 0;
  },
  'win32_terminal.enable': (m, a) => {
    const v = arg(a, 'Enable');
    if (v !== 0 && v !== 1) return WBEM_E_INVALID_PARAMETER;
    dword(m, RDP_TCP, 'fEnableWinStation', v);
    return 0;
  },
};

export function findMethod(className: string, method: string): Method | undefined {
  return METHODS[`${className}.${method}`.toLowerCase()];
}
