// rdp-logon-modes (§3.A): switches that stop logons even when RDP is "enabled": listener
// fEnableWinStation / fLogonDisabled, TSEnabled, TSUserEnabled, drain mode, WinStationsDisabled.
import { proposeFix } from '../fixes/catalogue.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { cimFirst } from './lib/host.ts';
import { regNumber, valueNumber } from './lib/registry.ts';

export const rdpLogonModes = defineCheck('rdp-logon-modes', 'RDP listener and logons are switched on', 'critical', (input, f) => {
  const got = need(input, {
    ts: ['the Terminal Server registry key', (h) => h.terminalServer],
    rdpTcp: ['the RDP-Tcp listener registry key', (h) => h.rdpTcp],
    wsd: ['Winlogon WinStationsDisabled', (h) => h.winStationsDisabled],
  });
  if (!got.ok) return f.unknown(`Could not tell whether the RDP listener and logons are switched on: ${got.missing}.`, undefined, got.evidence);
  const { ts, rdpTcp } = got.v;
  const v = {
    fEnableWinStation: regNumber(rdpTcp, 'fEnableWinStation'),
    fLogonDisabled: regNumber(rdpTcp, 'fLogonDisabled'),
    TSEnabled: regNumber(ts, 'TSEnabled'),
    TSUserEnabled: regNumber(ts, 'TSUserEnabled'),
    TSServerDrainMode: regNumber(ts, 'TSServerDrainMode'),
    WinStationsDisabled: valueNumber(got.v.wsd),
  };
  const evidence = { ...v, fEnableTerminal: cimFirst(got.facts.tsTerminal)?.['fEnableTerminal'] ?? null };
  // Listener switches: the catalogue's enable-rdp-listener sets them back (and restarts TermService).
  const listener: string[] = [];
  if (v.fEnableWinStation === 0) listener.push('fEnableWinStation=0');
  if (v.fLogonDisabled === 1) listener.push('fLogonDisabled=1');
  if (v.TSEnabled === 0) listener.push('TSEnabled=0');
  if (listener.length) {
    const disabled = v.fEnableWinStation === 0 || v.TSEnabled === 0;
    return f.problem({
      summary: disabled
        ? `The RDP-Tcp listener is disabled (${listener.join(', ')}), so TermService runs but does not listen for RDP connections.`
        : `Logons over RDP-Tcp are disabled (${listener.join(', ')}), so the server accepts the connection and then refuses the logon.`,
      explanation: 'These switches stop the RDP-Tcp listener (or its logons) even though Remote Desktop is enabled. The fix sets them back to enabled and restarts Remote Desktop Services so the listener comes back; that restart drops any open RDP session.',
      evidence,
      fix: proposeFix('enable-rdp-listener', got.facts),
    });
  }
  const other: string[] = [];
  if (v.TSUserEnabled === 1) other.push('TSUserEnabled=1');
  if (v.TSServerDrainMode === 1 || v.TSServerDrainMode === 2) other.push(`drain mode (TSServerDrainMode=${v.TSServerDrainMode})`);
  if (v.WinStationsDisabled === 1) other.push('logons disabled (WinStationsDisabled=1, `change logon /disable`)');
  if (other.length) {
    return f.problem({
      summary: `New RDP logons are blocked by ${other.join(' and ')}, so the server denies the connection (0x904 / 0x7).`,
      explanation: 'Drain mode lets existing users reconnect but blocks new logons; `change logon /disable` blocks even reconnections. On a farm member this may be deliberate maintenance: ask the owner, then run `change logon /enable` on the host (or set TSUserEnabled back to 0). rdp-medic has no automatic fix for this.',
      evidence,
    });
  }
  return f.ok('The RDP-Tcp listener and RDP logons are switched on (fEnableWinStation=1, no drain mode).', 'No listener or logon switch blocks RDP.', evidence);
});
