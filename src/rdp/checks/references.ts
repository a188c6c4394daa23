// The Microsoft article each check rests on: the "why" a finding links to. Chosen from the sources
// of the RDP failure catalogue the checks were written from (rdp-checks.md, its numbered source list
// [S1]..[S52], copied here on 2026-12-07 so nothing outside this tree is read at run or test time):
// per check, the Microsoft page its "Why it matters" cites that covers the cause and the cure best.
// The tag in each entry names that source in the catalogue.
import type { CheckId } from '../types.ts';

export interface Reference {
  title: string;
  url: string;
  /** The catalogue's source tag, for a reader who has it. */
  source: string;
}

const ref = (source: string, title: string, url: string): Reference => ({ source, title, url });

const GENERAL = ref('S3', 'General Remote Desktop connection troubleshooting', 'https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/rdp-error-general-troubleshooting');
const CANNOT_CONNECT = ref('S4', "Remote Desktop can't connect to the remote computer", 'https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/remote-desktop-cannot-connect-remote-computer');
const INTERNAL_ERROR = ref('S5', '"An internal error has occurred" when connecting with Remote Desktop', 'https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/internal-error-has-occurred-connecting-remote-machine');
const DETAILED = ref('S16', 'Detailed troubleshooting steps for Remote Desktop connection issues', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/detailed-troubleshoot-rdp');
const PORTS = ref('S34', 'Ports used by Remote Desktop Services', 'https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/ports-used-by-rds');
const FIREWALL_BLOCKING = ref('S15', 'Guest OS firewall is blocking inbound traffic', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/guest-os-firewall-blocking-inbound-traffic');
const BY_EVENT_ID = ref('S9', 'Troubleshoot RDP connection issues by Event ID', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/event-id-troubleshoot-vm-rdp-connecton');

/** Every check's article, the first the one a finding links (a URL chat shows unchanged); the others back it up. */
export const CHECK_REFERENCES: Record<CheckId, readonly Reference[]> = {
  'host-edition': [ref('S35', 'Remote Desktop: allow access to your PC (Home editions cannot host)', 'https://learn.microsoft.com/en-us/windows-server/remote/remote-desktop-services/clients/remote-desktop-allow-access'), CANNOT_CONNECT],
  'net-dns-resolution': [DETAILED, CANNOT_CONNECT],
  'rdp-enabled': [CANNOT_CONNECT, GENERAL, ref('S8', 'Troubleshoot an RDP general error (fDenyTSConnections, TSEnabled, fEnableWinStation)', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/troubleshoot-rdp-general-error')],
  'svc-termservice': [ref('S10', "Remote Desktop Services isn't starting", 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/troubleshoot-remote-desktop-services-issues'), GENERAL],
  'svc-rdp-dependencies': [INTERNAL_ERROR, GENERAL],
  'rdp-logon-modes': [ref('S8', 'Troubleshoot an RDP general error (fDenyTSConnections, TSEnabled, fEnableWinStation)', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/troubleshoot-rdp-general-error')],
  'listener-port': [GENERAL, CANNOT_CONNECT],
  'fw-profile-policy': [FIREWALL_BLOCKING],
  'fw-rdp-rules': [FIREWALL_BLOCKING, ref('S14', 'Enable or disable a firewall rule on a guest OS', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/enable-disable-firewall-rule-guest-os')],
  'cert-machinekeys-acl': [BY_EVENT_ID, INTERNAL_ERROR],
  'cert-rdp-store': [ref('S7', 'An internal error occurs when you make an RDP connection (renew the self-signed certificate)', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/troubleshoot-rdp-internal-error'), BY_EVENT_ID],
  'cert-binding': [ref('S6', 'Remote Desktop listener certificate configurations', 'https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/remote-desktop-listener-certificate-configurations'), INTERNAL_ERROR],
  'tls-schannel-protocols': [ref('S29', 'Transport Layer Security (TLS) registry settings', 'https://learn.microsoft.com/en-us/windows-server/security/tls/tls-registry-settings'), BY_EVENT_ID],
  'tls-cipher-fips': [INTERNAL_ERROR, ref('S12', 'Troubleshoot authentication errors when you use RDP (NLA, FIPS)', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/cannot-connect-rdp-azure-vm')],
  'sec-layer-nla': [ref('S12', 'Troubleshoot authentication errors when you use RDP (NLA, FIPS)', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/cannot-connect-rdp-azure-vm'), ref('S22', 'SetSecurityLayer method of Win32_TSGeneralSetting', 'https://learn.microsoft.com/en-us/windows/win32/termserv/win32-tsgeneralsetting-setsecuritylayer')],
  'sec-credssp-domain': [ref('S20', 'CredSSP encryption oracle remediation', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/credssp-encryption-oracle-remediation')],
  'authz-rdp-users': [ref('S18', 'Troubleshooting specific RDP error messages (Remote Desktop Users)', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/troubleshoot-specific-rdp-errors')],
  'authz-user-rights': [ref('S33', 'Allow log on through Remote Desktop Services', 'https://learn.microsoft.com/en-us/windows/device-security/security-policy-settings/allow-log-on-through-remote-desktop-services')],
  'authz-listener-acl': [ref('S48', 'How to add a user to RDP permissions by using WMI', 'https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/add-user-services-rdp-permissions')],
  'conn-limits': [ref('S47', 'Remote Desktop disconnected or cannot connect (session limits)', 'https://learn.microsoft.com/en-us/troubleshoot/windows-server/remote/remote-desktop-disconnected')],
  'listener-throttling': [ref('S38', 'Event ID 1006: Remote Desktop Session Host connections (incomplete connections)', 'https://technet.microsoft.com/en-us/library/ee891040(v=ws.10).aspx'), ref('S19', 'Cannot RDP because of a brute force attack', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/cannot-rdp-azure-vm-brute-force')],
  'listener-state': [GENERAL, CANNOT_CONNECT],
  // The protocol specification's URL has an underscore (windows_protocols) that chat markdown escapes: second.
  'net-rdp-probe': [GENERAL, ref('S32', '[MS-RDPBCGR] Client X.224 Connection Request PDU', 'https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-rdpbcgr/18a27ef9-6f9a-4501-b000-94b1fe3c2c10')],
  'net-tcp-reachability': [PORTS, CANNOT_CONNECT],
  'net-winrm-identity': [DETAILED],
  'net-latency-loss': [ref('S11', 'Remote Desktop disconnects frequently', 'https://learn.microsoft.com/en-us/troubleshoot/azure/virtual-machines/windows/troubleshoot-rdp-intermittent-connectivity')],
  'net-host-nic': [ref('S36', 'The curious case of Event ID 56 with source TermDD', 'https://techcommunity.microsoft.com/t5/ask-the-performance-team/the-curious-case-of-event-id-56-with-source-termdd/ba-p/374553')],
  'net-rdp-transport': [PORTS, ref('S27', 'Win32_TSClientSetting class (SelectTransport)', 'https://learn.microsoft.com/en-us/windows/win32/termserv/win32-tsclientsetting')],
  'fw-third-party': [CANNOT_CONNECT, DETAILED],
  'evt-scan': [BY_EVENT_ID],
};

/** The article a finding of `check` links as its "why". */
export function findingReference(check: CheckId): Reference {
  return CHECK_REFERENCES[check][0]!;
}
