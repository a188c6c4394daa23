// listener-state (§3.C): is RDP-Tcp in the Listen state with TermService owning the socket? A
// symptom check: when rdp-enabled / rdp-logon-modes / svc-termservice explain it, it names that
// cause and leaves the fix to it; unexplained, a TermService restart brings the listener back.
import { proposeFix } from '../fixes/catalogue.ts';
import { whyNotListening } from './lib/causes.ts';
import { defineCheck } from './lib/check.ts';
import { need } from './lib/facts.ts';
import { DEFAULT_RDP_PORT } from './lib/host.ts';
import { regNumber } from './lib/registry.ts';

const LISTEN = 6;

export const listenerState = defineCheck('listener-state', 'RDP-Tcp listener is listening', 'critical', (input, f) => {
  const got = need(input, {
    sessions: ['the session list (WTSEnumerateSessions)', (h) => h.sessions],
    sockets: ['the TCP listeners', (h) => h.tcpListeners],
    svc: ['the TermService state', (h) => h.services.TermService],
    rdpTcp: ['the RDP-Tcp registry key', (h) => h.rdpTcp],
  });
  if (!got.ok) return f.unknown(`Could not tell whether the RDP-Tcp listener is listening: ${got.missing}.`, undefined, got.evidence);
  const port = regNumber(got.v.rdpTcp, 'PortNumber') ?? DEFAULT_RDP_PORT;
  const listenSession = got.v.sessions.find((s) => /^rdp-tcp$/i.test(s.winStation) && s.state === LISTEN);
  const sockets = got.v.sockets.filter((l) => l.localPort === port);
  const pid = got.v.svc.processId;
  const owned = sockets.filter((l) => pid !== null && l.owningProcess === pid);
  const foreign = sockets.filter((l) => pid === null || l.owningProcess !== pid);
  const evidence = {
    port,
    listenSession: listenSession ? { id: listenSession.id, state: 'Listen' } : null,
    sockets: sockets.map((l) => ({ address: l.localAddress, pid: l.owningProcess, process: l.processName, services: l.services })),
    termServicePid: pid,
    termServiceState: got.v.svc.state,
  };
  if (listenSession && owned.length) {
    return f.ok(`The RDP-Tcp listener is listening on port ${port}, owned by TermService (PID ${pid}).`, 'TermService accepts RDP connections on its configured port.', evidence);
  }
  if (foreign.length) {
    const other = foreign[0];
    return f.problem({
      summary: `Port ${port} is held by ${other?.processName ?? 'another process'} (PID ${other?.owningProcess}), not TermService, so RDP cannot listen there.`,
      explanation: 'Another application owns the RDP port; clients reach it instead of Remote Desktop. Move that application to another port or stop it (see the listener-port finding); rdp-medic will not stop someone else\'s service automatically.',
      evidence,
    });
  }
  const cause = whyNotListening(got.facts, input.target.rdpPort);
  if (cause) {
    return f.problem({
      summary: `The RDP-Tcp listener is not listening on port ${port}: ${cause.text}.`,
      explanation: 'No RDP listener means connections are refused. This is the symptom; the finding for the cause proposes the fix, after which the listener comes back.',
      evidence: { ...evidence, cause: cause.text },
      proof: `no RDP-Tcp listener on port ${port}`,
      supports: cause.check,
    });
  }
  return f.problem({
    summary: `TermService is running but the RDP-Tcp listener is not listening on port ${port}, so RDP connections are refused.`,
    explanation: 'RDP is enabled and the listener switches are on, yet no listener is up: the listener stack is down (RCM event 1035) or half-started. Restarting Remote Desktop Services brings it back; that restart drops open RDP sessions.',
    evidence,
    fix: proposeFix('restart-termservice', got.facts),
  });
});
