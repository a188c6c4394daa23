// The "how it was seen" fields of a diagnosis root: what the bot's own RDP handshake saw (TLS
// version, negotiated protocol, certificate validity), read from the findings' evidence because
// the Diagnosis keeps no raw probe results.
import type { Diagnosis, Finding } from '../rdp/types.ts';
import { formatMs } from './time.ts';
import { plural } from './text.ts';

type Field = { label: string; value: string };

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);
const str = (v: unknown): string | null => (typeof v === 'string' && v ? v : null);
const ymd = (v: unknown): string | null => str(v)?.slice(0, 10) ?? null;

function evidenceOf(d: Diagnosis, check: Finding['check']): Record<string, unknown> | null {
  return obj(d.findings.find((f) => f.check === check)?.evidence);
}

function probeField(probe: Record<string, unknown>): Field {
  const tls = obj(probe['tls']);
  const selected = str(probe['selected']);
  if (probe['ok'] === true) {
    return { label: 'RDP probe', value: `handshake OK: ${str(tls?.['version']) ?? 'TLS'}${selected ? `, ${selected}` : ''}` };
  }
  const code = str(obj(probe['error'])?.['code']);
  const stage = str(probe['stage']) ?? '?';
  return { label: 'RDP probe', value: `failed at the ${stage} stage${code ? ` (${code})` : ''}${selected ? ` after negotiating ${selected}` : ''}` };
}

// Neutral dates, no judgement: the findings decide "expired" against the diagnosis clock; a card
// builder has no clock of its own.
function certificateField(d: Diagnosis, probe: Record<string, unknown> | null): Field | null {
  const seen = obj(probe?.['certificate']);
  const [from, to] = [ymd(seen?.['validFrom']), ymd(seen?.['validTo'])];
  if (to) return { label: 'Certificate', value: `${from ? `valid ${from} to ${to}` : `valid to ${to}`} (as presented)` };
  // The handshake died before a certificate was seen: fall back to what the host's store says.
  const stored = obj(evidenceOf(d, 'cert-rdp-store')?.['certificate']);
  const [nb, na] = [ymd(stored?.['notBefore']), ymd(stored?.['notAfter'])];
  if (!na) return null;
  return { label: 'Certificate', value: `${nb ? `valid ${nb} to ${na}` : `valid to ${na}`} (in the host's store; not presented)` };
}

export function probeFields(d: Diagnosis): Field[] {
  const probe = evidenceOf(d, 'net-rdp-probe');
  const fields: Field[] = [];
  if (probe) fields.push(probeField(probe));
  const cert = certificateField(d, probe);
  if (cert) fields.push(cert);
  fields.push({ label: 'WinRM', value: plural(d.winrmCommands, 'command') });
  fields.push({ label: 'Timings', value: `probes ${formatMs(d.timingsMs.probes)}, host read ${formatMs(d.timingsMs.plan)}, total ${formatMs(d.timingsMs.total)}` });
  return fields;
}
