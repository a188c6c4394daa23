// Host access failures: classifying what runPlan threw (by error name, no import of the WinRM layer
// needed) and the headline that explains, in plain words, what was tried and what it means for RDP.
import type { CheckTarget, HostAccessFailure, ProbeEvidence } from './types.ts';
import { tcpPhrase } from './checks/net-tcp-reachability.ts';
import { scrubText } from '../lib/scrub.ts';
import { tooMuchMessage, type HostSentTooMuch } from '../winrm/index.ts';

/** WinRM port from the inventory URL (default 5985 for http, 5986 for https). */
export function winrmEndpoint(target: CheckTarget): { host: string; port: number } {
  try {
    const u = new URL(target.winrmUrl);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port ? Number(u.port) : u.protocol === 'https:' ? 5986 : 5985;
    return { host: host || target.rdpHost, port };
  } catch {
    return { host: target.rdpHost, port: 5985 };
  }
}

/** Error text without anything that looks like a secret (the one scrubber), on one line, bounded. */
export function safeMessage(err: unknown): string {
  const raw = err instanceof Error ? err.message : typeof err === 'string' ? err : 'unknown error';
  const one = scrubText(raw.replace(/\s+/g, ' ')).trim();
  return one.length > 240 ? `${one.slice(0, 239)}…` : one;
}

/** What to do about a runtime failure, by what the host said. */
const RUNTIME_HINTS: ReadonlyArray<readonly [RegExp, string]> = [
  [/stdin was (cut short|corrupted)|stdin ended before/, 'The plan did not arrive intact over WinRM: retry; if it persists, look for a proxy or a WinRM quota (MaxEnvelopeSizekb, MaxMemoryPerShellMB) cutting the input.'],
  [/ran runtime .* expected/, 'A different rdp-medic runtime answered: run the same rdp-medic version on every worker.'],
  [/plan refused/, 'rdp-medic sent a plan the host runtime refuses: this is a bug, please report it with the audit record.'],
];

/** The cap a WinrmOutputLimitError or ResultLimitError names, read off the error (no class import needed). */
function capOf(err: unknown): HostSentTooMuch | undefined {
  const e = err as Partial<Record<keyof HostSentTooMuch, unknown>> | undefined;
  if (typeof e?.limit !== 'string' || typeof e.limitBytes !== 'number' || typeof e.what !== 'string') return undefined;
  return { limit: e.limit, limitBytes: e.limitBytes, what: e.what };
}

/** Default classifier: WinRM / runtime errors by name (rdp-medic's own typed errors never carry secrets). */
export function classifyHostError(err: unknown, target: CheckTarget): HostAccessFailure {
  const name = err instanceof Error ? err.name : '';
  const msg = safeMessage(err);
  const { port } = winrmEndpoint(target);
  const host = target.id;
  switch (name) {
    case 'WinrmAuthError': {
      const method = (err as { method?: unknown }).method;
      return { kind: 'auth', message: `WinRM rejected the credentials (${typeof method === 'string' ? method : 'Basic/NTLM'}) for host ${host}: ${msg}` };
    }
    case 'WinrmTimeoutError':
      return { kind: 'timeout', message: `WinRM on ${host} (port ${port}) did not answer in time: ${msg}` };
    case 'WinrmTransportError':
      return { kind: 'unreachable', message: `WinRM on ${host} (port ${port}) could not be reached: ${msg}` };
    case 'WinrmFaultError':
      if (/not accept any remote shell requests/i.test(msg)) {
        return {
          kind: 'policy',
          message:
            `WinRM on ${host} refuses remote shells by policy (Allow Remote Shell Access is Disabled: AllowRemoteShellAccess = 0), so rdp-medic cannot run its diagnostic there. ` +
            'Set Computer Configuration > Administrative Templates > Windows Components > Windows Remote Shell > Allow Remote Shell Access to Not Configured or Enabled (gpupdate), or reach the host another way',
        };
      }
      return { kind: 'protocol', message: `WinRM on ${host} answered with an error: ${msg}` };
    case 'WinrmProtocolError':
      return { kind: 'protocol', message: `WinRM on ${host} answered with an error: ${msg}` };
    case 'WinrmOutputLimitError':
    case 'ResultLimitError': {
      const cap = capOf(err);
      if (!cap) return { kind: 'protocol', message: `WinRM on ${host} answered with an error: ${msg}` };
      return {
        kind: 'protocol',
        message:
          `${tooMuchMessage(host, cap)}. rdp-medic's plans return tens of KB: look for a profile script or program on the host writing endless output, ` +
          `or something else answering on its WinRM port; raise hosts.${host}.${cap.limit} only if the host really sends that much`,
      };
    }
    case 'RuntimeResultError':
      if (/Constrained Language Mode/.test(msg)) return { kind: 'policy', message: `On ${host}: ${msg}` };
      if (RUNTIME_HINTS.some(([re]) => re.test(msg))) {
        const hint = RUNTIME_HINTS.find(([re]) => re.test(msg))?.[1] ?? '';
        return { kind: 'runtime', message: `The diagnostic script on ${host} did not return a usable result: ${msg}. ${hint}` };
      }
      return { kind: 'runtime', message: `The diagnostic script on ${host} did not return a usable result: ${msg}` };
    case 'WinrmConfigError':
    case 'WinrmCommandTooLongError':
    case 'InvalidPlanError':
      return { kind: 'config', message: `rdp-medic could not run the diagnostic on ${host}: ${msg}` };
    default:
      return { kind: 'runtime', message: `Reading ${host} over WinRM failed: ${name ? `${name}: ` : ''}${msg}` };
  }
}

function rdpPhrase(target: CheckTarget, probes: ProbeEvidence): { text: string; reachable: boolean } {
  const t = probes.tcpRdp;
  const port = target.rdpPort;
  if (t.state !== 'open') return { text: t.state === 'refused' ? `RDP port ${port} is closed` : `RDP port ${port} ${tcpPhrase(t)}`, reachable: false };
  const r = probes.rdp;
  if (r.ok && r.tls) return { text: `RDP port ${port} answers with ${r.tls.version}${r.certificate?.expired ? ' but an expired certificate' : ''}`, reachable: true };
  if (r.ok) return { text: `RDP port ${port} answers`, reachable: true };
  return { text: `RDP port ${port} accepts TCP but the RDP handshake fails at the ${r.stage} stage (${r.error?.code ?? 'error'})`, reachable: true };
}

/** One sentence: what was tried on WinRM, what the RDP probes saw, and what that means. */
export function accessHeadline(target: CheckTarget, failure: HostAccessFailure, probes: ProbeEvidence): string {
  const { port } = winrmEndpoint(target);
  const w = probes.tcpWinrm;
  const host = target.id;
  let winrm: string;
  switch (failure.kind) {
    case 'unreachable':
      winrm = w.state === 'refused' ? `WinRM on ${host} (port ${port}) refused the connection` : `WinRM on ${host} (port ${port}) ${w.state === 'open' ? 'could not be reached' : tcpPhrase(w)}`;
      break;
    case 'timeout':
      winrm = `WinRM on ${host} (port ${port}) did not answer in time`;
      break;
    case 'auth':
      winrm = `WinRM on ${host} rejected rdp-medic's credentials`;
      break;
    case 'protocol':
      winrm = `WinRM on ${host} answered with an error`;
      break;
    case 'runtime':
      winrm = `the diagnostic script on ${host} failed`;
      break;
    case 'policy': {
      // The policy and what to change come first: that is the one thing to act on.
      const rdpNow = rdpPhrase(target, probes).text;
      return `${failure.message.replace(/\.$/, '')}. Meanwhile ${rdpNow}; the host-side checks cannot run until that changes.`;
    }
    default:
      winrm = `rdp-medic could not run its diagnostic on ${host}`;
  }
  const rdp = rdpPhrase(target, probes);
  const down = failure.kind === 'unreachable' || failure.kind === 'timeout';
  let meaning: string;
  if (down && !rdp.reachable && w.state === 'refused' && probes.tcpRdp.state === 'refused') meaning = 'something at that address answers, but neither service listens, or a firewall rejects both';
  else if (down && !rdp.reachable) meaning = 'the machine may be off or unreachable from here';
  else if (failure.kind === 'auth') meaning = `fix rdp-medic's WinRM credentials for ${host} so the host-side checks can run`;
  else if (rdp.reachable && probes.rdp.ok) meaning = 'RDP itself answers, but the host-side checks could not run';
  else meaning = 'the host-side checks could not run, so the cause of the RDP failure is not known yet';
  return `${winrm} and ${rdp.text}: ${meaning}.`;
}
