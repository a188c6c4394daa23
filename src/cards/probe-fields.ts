// The "how it was seen" fields of a diagnosis root: what a client sees when it connects (read from
// the bot's own RDP handshake), the certificate as presented, and how the host was read. Read from
// the findings' evidence because the Diagnosis keeps no raw probe results.
import type { Diagnosis, Finding, HostAccessFailure } from '../rdp/types.ts';
import { formatMs } from './time.ts';

type Field = { label: string; value: string };

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const ymd = (v: unknown): string | null => str(v)?.slice(0, 10) ?? null;

function evidenceOf(d: Diagnosis, check: Finding['check']): Record<string, unknown> | null {
  return obj(d.findings.find((f) => f.check === check)?.evidence);
}

/** What mstsc would run into, in words: the probe's stage and outcome, the certificate's state. */
function clientSees(probe: Record<string, unknown>): string {
  const tls = obj(probe['tls']);
  const cert = obj(probe['certificate']);
  const selected = str(probe['selected']);
  const code = str(obj(probe['error'])?.['code']);
  if (probe['ok'] === true) {
    const done = `TLS handshake completes (${str(tls?.['version']) ?? 'TLS'}${selected ? `, ${selected}` : ''})`;
    if (cert?.['expired'] === true) return `TLS handshake completes; clients reject the expired certificate`;
    if (cert?.['notYetValid'] === true) return `TLS handshake completes; clients reject the certificate as not yet valid`;
    if (selected === 'rdp') return 'the server answers with legacy RDP security, no TLS: NLA clients refuse it';
    return done;
  }
  switch (str(probe['stage'])) {
    case 'tcp':
      return `no connection: TCP to the RDP port failed${code ? ` (${code})` : ''}`;
    case 'x224':
      return str(probe['failure'])
        ? `the server refuses the RDP negotiation (${str(probe['failure'])})`
        : `the connection opens, then the server drops it before RDP starts${code ? ` (${code})` : ''}`;
    case 'tls':
      return `the connection opens, then drops during the TLS handshake${code ? ` (${code})` : ''}: mstsc shows 0x904 / 0x7`;
    default:
      return `the handshake fails at the ${str(probe['stage']) ?? 'unknown'} stage${code ? ` (${code})` : ''}`;
  }
}

// Dates and the flags the probe set against the diagnosis clock; a card builder has no clock of its own.
function certificateField(d: Diagnosis, probe: Record<string, unknown> | null): Field | null {
  const seen = obj(probe?.['certificate']);
  const [from, to] = [ymd(seen?.['validFrom']), ymd(seen?.['validTo'])];
  if (to) {
    if (seen?.['expired'] === true) return { label: 'Certificate', value: `expired on ${to} (issued ${from ?? '?'}), as presented` };
    if (seen?.['notYetValid'] === true) return { label: 'Certificate', value: `not valid before ${from ?? '?'}, as presented` };
    const judged = 'expired' in (seen ?? {});
    return { label: 'Certificate', value: judged ? `valid until ${to}, as presented` : `${from ? `valid ${from} to ${to}` : `valid to ${to}`}, as presented` };
  }
  // The handshake died before a certificate was seen: fall back to what the host's store says.
  const stored = obj(evidenceOf(d, 'cert-rdp-store')?.['certificate']);
  const [nb, na] = [ymd(stored?.['notBefore']), ymd(stored?.['notAfter'])];
  if (!na) return null;
  // Judged against the diagnosis time, when the record has it.
  if (d.checkedAt && na <= d.checkedAt.slice(0, 10)) return { label: 'Certificate', value: `expired on ${na} in the host's store (not presented)` };
  return { label: 'Certificate', value: `${nb ? `valid ${nb} to ${na}` : `valid to ${na}`} in the host's store (not presented)` };
}

const NOT_READ: Record<HostAccessFailure['kind'], string> = {
  unreachable: 'WinRM could not be reached',
  timeout: 'WinRM did not answer in time',
  auth: 'WinRM rejected the credentials',
  protocol: 'WinRM answered with an error',
  runtime: 'the diagnostic script failed',
  config: 'rdp-medic\'s configuration for this host is incomplete',
  policy: 'a host policy blocks remote commands',
};

const AUTH_NAME: Readonly<Record<string, string>> = { basic: 'Basic', ntlm: 'NTLM', kerberos: 'Kerberos' };

function hostReadField(d: Diagnosis): Field {
  if (d.hostAccess) return { label: 'Host read', value: `not read: ${NOT_READ[d.hostAccess.kind]}` };
  const how = d.winrmAuth ? ` (${AUTH_NAME[d.winrmAuth] ?? d.winrmAuth})` : '';
  return { label: 'Host read', value: `${d.winrmCommands === 1 ? 'one WinRM command' : `${d.winrmCommands} WinRM commands`}${how}, ${formatMs(d.timingsMs.plan)}` };
}

export function probeFields(d: Diagnosis): Field[] {
  const probe = evidenceOf(d, 'net-rdp-probe');
  const fields: Field[] = [];
  if (probe) fields.push({ label: 'Client sees', value: clientSees(probe) });
  const cert = certificateField(d, probe);
  if (cert) fields.push(cert);
  fields.push(hostReadField(d));
  return fields;
}
