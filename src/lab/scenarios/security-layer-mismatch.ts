// security-layer-mismatch: RDP-Tcp SecurityLayer = 0 (RDP Security Layer) while UserAuthentication
// = 1 (NLA required). NLA is CredSSP over TLS and cannot run on the RDP security layer
// (sec-layer-nla, "Broken"): modern clients offering TLS/CredSSP get SSL_NOT_ALLOWED_BY_SERVER.
// Cured by cim.invoke Win32_TSGeneralSetting.SetSecurityLayer {SecurityLayer: 2} (expect
// SecurityLayer 0, capture [SecurityLayer]); the certificate is healthy, so TLS (2) is right.
import { RDP_TCP } from '../model/paths.ts';
import { setValue } from '../model/registry.ts';
import type { Scenario } from './types.ts';

export const securityLayerMismatch: Scenario = {
  name: 'security-layer-mismatch',
  description: 'SecurityLayer=0 (RDP security) contradicts UserAuthentication=1 (NLA); TLS clients are refused.',
  cause: ['sec-layer-nla'],
  fix: "cim.invoke root\\cimv2\\TerminalServices Win32_TSGeneralSetting filter TerminalName='RDP-Tcp' SetSecurityLayer {SecurityLayer:2} expect {SecurityLayer:0} capture [SecurityLayer]",
  apply: (m) => {
    setValue(m, RDP_TCP, 'SecurityLayer', 'DWord', 0);
    setValue(m, RDP_TCP, 'UserAuthentication', 'DWord', 1);
  },
};
