// The fix catalogue: every cure rdp-medic can apply, by id. Checks name a fix by id; the plan
// builders (one file per fix) turn the diagnosis facts into a compare-and-set write plan.
import { isFactError, type HostFacts } from '../read-plan.ts';
import type { FixProposal, FixRisk } from '../types.ts';
import { rdpRulesExposure } from './lib/exposure.ts';

export const FIX_IDS = [
  'enable-rdp', // rdp-enabled: fDenyTSConnections 0 (policy deny deleted) + the RDP firewall rules, with exact undo
  'start-termservice', // svc-termservice stopped or disabled: start type Manual if Disabled, start TermService + UmRdpService
  'restart-termservice', // listener-state: running but not listening
  'enable-rdp-listener', // rdp-logon-modes: fEnableWinStation 1 / fLogonDisabled 0 / TSEnabled 1, then restart TermService
  'reset-rdp-port', // listener-port: PortNumber back to 3389, restart TermService
  'enable-rdp-firewall-rules', // fw-rdp-rules: enable RemoteDesktop-UserMode-In-TCP/-UDP
  'regenerate-rdp-certificate', // cert-rdp-store / cert-machinekeys-acl: move the bad cert to a backup store, restart SessionEnv
  'enable-tls12', // tls-schannel-protocols: TLS 1.2\Server Enabled 1, DisabledByDefault 0, restart TermService
  'restore-security-layer', // sec-layer-nla: SecurityLayer 0 back to 2 (TLS), or 1 when TLS cannot work yet
  'disable-nla-temporarily', // break-glass: NLA off for 60 minutes, reverts itself on the host
  'add-rdp-user', // authz-rdp-users: add the user to Remote Desktop Users (S-1-5-32-555)
  'raise-connection-limit', // conn-limits: MaxInstanceCount unlimited
  'start-rdp-dependency', // svc-rdp-dependencies: start type Manual if Disabled, start the service
] as const;
export type KnownFixId = (typeof FIX_IDS)[number];

export interface FixInfo {
  id: KnownFixId;
  title: string;
  risk: FixRisk;
  /** Plain words: what changes, what it disrupts, whether it weakens security (facts make it specific). */
  impact(facts: HostFacts): string;
  /**
   * What it opens up that the host keeps closed now, as a phrase after "It" ("opens TCP and UDP 3389
   * to any address"); null when it opens nothing. `account`: the account a fix is about (add-rdp-user).
   */
  exposes(facts: HostFacts, account?: string): string | null;
}

/** Active or disconnected RDP sessions a TermService restart would drop, as "DOMAIN\user (session N)". */
export function sessionsAtRisk(facts: HostFacts): string[] {
  const sessions = facts.sessions;
  if (isFactError(sessions)) return ['unknown sessions (the session list could not be read)'];
  return sessions
    .filter((s) => /^RDP-Tcp#/i.test(s.winStation) && (s.state === 0 || s.state === 4) && s.user)
    .map((s) => `${s.user} (session ${s.id}, ${s.state === 0 ? 'active' : 'disconnected'})`);
}

/** A Group Policy value denies RDP (the enable-rdp cure is then temporary). */
function policyDeniesRdp(facts: HostFacts): boolean {
  const pol = facts.tsPolicy;
  if (isFactError(pol) || !pol.exists) return false;
  const v = pol.values.find((x) => x.name.toLowerCase() === 'fdenytsconnections');
  return v !== undefined && v.data !== 0;
}

function restartImpact(facts: HostFacts, what: string): string {
  const at = sessionsAtRisk(facts);
  const drops = at.length ? `It drops ${at.length} RDP session(s): ${at.join(', ')}; unsaved work may be lost.` : 'No RDP sessions are open right now.';
  return `${what} Restarting Remote Desktop Services disconnects everyone connected over RDP. ${drops}`;
}

const opensNothing = (): null => null;

const info = (id: KnownFixId, title: string, risk: FixRisk, impact: FixInfo['impact'], exposes: FixInfo['exposes'] = opensNothing): FixInfo => ({ id, title, risk, impact, exposes });

/** enable-rdp: RDP itself, plus the firewall rules it enables along the way. */
function enableRdpExposure(facts: HostFacts): string {
  const rules = rdpRulesExposure(facts);
  return `accepts RDP connections again${rules ? ` and opens ${rules}` : ''}`;
}

// Classes (docs/decisions/0010-risk-classes.md): a fix that overrides an access decision the host
// holds now (the RDP switch, the firewall's reach, an account's logon right, authentication before the
// logon screen) weakens security, even when it is the cure; one that repairs a part beneath an access
// decision that already says yes (a stopped service, a listener switch, a certificate) does not.

export const FIX_INFO: Record<KnownFixId, FixInfo> = {
  'enable-rdp': info('enable-rdp', 'Turn Remote Desktop on', 'weakens-security', (f) =>
    policyDeniesRdp(f)
      ? 'Group Policy switches Remote Desktop off (policy fDenyTSConnections=1). Deletes that policy value on the host so RDP is allowed again, and enables the built-in Remote Desktop firewall rules that are off. This is temporary: the next Group Policy refresh puts the value back, so the GPO owner has to change the policy. No one is disconnected; NLA stays as it is.'
      : 'Sets fDenyTSConnections to 0 (what Win32_TerminalServiceSetting.SetAllowTSConnections does) and enables the built-in Remote Desktop firewall rules that are off. No one is disconnected; NLA stays as it is.',
    enableRdpExposure,
  ),
  'start-termservice': info('start-termservice', 'Start Remote Desktop Services (TermService)', 'safe', () =>
    'Starts TermService (setting its start type back to Manual if it was Disabled) and UmRdpService. Nothing is running yet, so nobody is disconnected. Security is unchanged.',
  ),
  'restart-termservice': info('restart-termservice', 'Restart Remote Desktop Services (TermService)', 'disruptive', (f) =>
    restartImpact(f, 'Restarts TermService so the RDP-Tcp listener comes back.'),
  ),
  'enable-rdp-listener': info('enable-rdp-listener', 'Re-enable the RDP-Tcp listener', 'disruptive', (f) =>
    restartImpact(f, 'Sets the RDP-Tcp listener switches back to enabled (fEnableWinStation 1, fLogonDisabled 0) and restarts TermService.'),
  ),
  'reset-rdp-port': info('reset-rdp-port', 'Move RDP back to port 3389', 'disruptive', (f) =>
    restartImpact(f, 'Sets the RDP-Tcp PortNumber back to 3389, where clients and the firewall rules expect it, and restarts TermService.'),
  ),
  'enable-rdp-firewall-rules': info('enable-rdp-firewall-rules', 'Enable the Remote Desktop firewall rules', 'weakens-security', () =>
    'Enables the built-in inbound rules RemoteDesktop-UserMode-In-TCP and -UDP with their own scope (remote address Any unless someone scoped them). No one is disconnected. Scope the rules to management networks afterwards if RDP should not be reachable from everywhere.',
    (f) => `opens ${rdpRulesExposure(f) ?? 'the RDP port to the addresses the Remote Desktop firewall rules allow'}`,
  ),
  'regenerate-rdp-certificate': info('regenerate-rdp-certificate', 'Replace the RDP certificate with a new self-signed one', 'safe', () =>
    'Moves the unusable certificate out of the "Remote Desktop" store (kept in the RdpMedicBackup store for undo) and restarts Remote Desktop Configuration (SessionEnv), which makes Windows create a new self-signed certificate. Open sessions stay connected. Clients that pinned the old certificate will see a certificate prompt once.',
  ),
  'enable-tls12': info('enable-tls12', 'Enable TLS 1.2 for the server side of Schannel', 'disruptive', (f) =>
    restartImpact(f, 'Sets SCHANNEL\\Protocols\\TLS 1.2\\Server Enabled=1 and DisabledByDefault=0 (only TLS 1.2, no legacy versions), then restarts TermService. Other TLS services on the host (IIS, WinRM over HTTPS) use the same setting.'),
  ),
  'restore-security-layer': info('restore-security-layer', 'Restore the TLS security layer (SecurityLayer 2)', 'safe', () =>
    'Sets the RDP-Tcp SecurityLayer from 0 (RDP security) back to 2 (TLS), or to 1 (Negotiate) while no usable certificate exists, so clients can negotiate TLS and NLA again. Affects new connections only; nobody is disconnected. It strengthens security.',
  ),
  'disable-nla-temporarily': info('disable-nla-temporarily', 'Turn NLA off for 60 minutes (break-glass)', 'weakens-security', () =>
    'Turns Network Level Authentication off on RDP-Tcp so an administrator can reach the logon screen, and schedules a SYSTEM task on the host that turns it back on after 60 minutes even if rdp-medic loses contact. While it is off, unauthenticated clients reach the Windows logon screen: use only to get in and fix the real cause.',
    () => 'lets clients that have not signed in reach the Windows logon screen',
  ),
  'add-rdp-user': info('add-rdp-user', 'Allow the user to log on over RDP', 'weakens-security', () =>
    'Adds the account to the local Remote Desktop Users group (S-1-5-32-555). Nobody is disconnected. It grants that account remote logon: an access decision for the approver.',
    (_f, account) => `grants ${account ?? 'the account'} RDP logon (Remote Desktop Users)`,
  ),
  'raise-connection-limit': info('raise-connection-limit', 'Lift the RDP connection limit', 'safe', () =>
    'Sets the RDP-Tcp MaxInstanceCount to unlimited so new connections are no longer refused while a session is open. Nobody is disconnected. Licensing still limits concurrent sessions on servers without RDSH.',
  ),
  'start-rdp-dependency': info('start-rdp-dependency', 'Re-enable and start the stopped RDP support service', 'safe', () =>
    'Sets the start type of the stopped support service back to Manual and starts it (needed to create the RDP certificate). Nobody is disconnected. Security is unchanged.',
  ),
};

/** The proposal a finding carries; the plan is built from the same facts when someone asks to apply it. */
export function proposeFix(id: KnownFixId, facts: HostFacts, account?: string): FixProposal {
  const fix = FIX_INFO[id];
  const exposes = fix.exposes(facts, account);
  return { id, title: fix.title, risk: fix.risk, impact: fix.impact(facts), ...(exposes ? { exposes } : {}) };
}
