// Short human-readable summary of an RDP probe result (CLI and chat replies).
import type { RdpProbeResult } from './types.ts';
import { failureMeaning } from './explain.ts';

const PROTOCOL_WORDS: Record<string, string> = {
  rdp: 'Standard RDP Security (no TLS)',
  tls: 'TLS',
  hybrid: 'CredSSP / NLA (inside TLS)',
  hybrid_ex: 'CredSSP / NLA with Early User Authorization (inside TLS)',
  rdstls: 'RDSTLS',
  rdsaad: 'RDS AAD authentication',
};

const ms = (n: number | null): string => (n === null ? '-' : `${n} ms`);

function hostPort(r: RdpProbeResult): string {
  const h = r.target.host.includes(':') ? `[${r.target.host}]` : r.target.host;
  return `${h}:${r.target.port}`;
}

export function formatProbeResult(r: RdpProbeResult): string {
  const lines: string[] = [];
  lines.push(`RDP probe ${hostPort(r)}: ${r.ok ? 'OK' : 'FAILED'} (stage ${r.stage})`);
  // A negotiation refusal is explained on its own line below.
  if (r.error && r.error.code !== 'RDP_NEG_FAILURE') lines.push(`  error        ${r.error.code}: ${r.error.message}`);
  lines.push(`  tcp          ${r.tcp.ok ? `connected in ${ms(r.tcp.ms)}` : `not connected (${r.tcp.error ?? 'not attempted'})`}`);
  const n = r.negotiation;
  if (n) {
    const offered = n.requested.join(', ');
    if (n.failure !== null && n.failureCode !== null) {
      lines.push(`  negotiation  offered ${offered}; server refused: ${n.failure} (0x${n.failureCode.toString(16)}): ${failureMeaning(n.failureCode)}`);
    } else if (n.selected !== null) {
      const flags = n.flags === null ? 'no RDP_NEG_RSP: pre-RDP 5.2 style server' : `flags 0x${n.flags.toString(16).padStart(2, '0')}`;
      lines.push(`  negotiation  offered ${offered}; server chose ${n.selected}: ${PROTOCOL_WORDS[n.selected] ?? n.selected} (${flags})`);
      if (n.selected === 'rdp' && n.requested.includes('tls')) lines.push('               TLS was offered but the server chose Standard RDP Security');
    } else {
      lines.push(`  negotiation  offered ${offered}; no usable answer`);
    }
  }
  if (r.tls) lines.push(`  tls          ${r.tls.version}, ${r.tls.cipher}${r.tls.legacy ? ' (legacy TLS version)' : ''}`);
  const c = r.certificate;
  if (c) {
    lines.push(`  certificate  ${c.subject}${c.selfSigned ? ' (self-signed)' : `, issued by ${c.issuer}`}`);
    if (c.subjectAltName) lines.push(`               SAN ${c.subjectAltName}`);
    const state = c.expired ? `EXPIRED ${-c.daysUntilExpiry} days ago` : c.notYetValid ? 'NOT YET VALID' : `${c.daysUntilExpiry} days left`;
    lines.push(`               valid ${c.validFrom} to ${c.validTo}: ${state}`);
    if (c.nameMatches === false) lines.push(`               name mismatch: ${c.nameMismatch ?? ''}`);
    lines.push(`               key ${c.keyType ?? '?'} ${c.keySize ?? '?'}; sha256 ${c.sha256}`);
    lines.push(`               thumbprint (SHA-1) ${c.sha1Thumbprint}`);
  }
  const t = r.timingsMs;
  lines.push(`  timings      tcp ${ms(t.tcpConnect)}, x224 ${ms(t.x224)}, tls ${ms(t.tlsHandshake)}, total ${ms(t.total)}`);
  return `${lines.join('\n')}\n`;
}
