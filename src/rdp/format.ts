// Diagnoses and fix outcomes for a terminal: the cause first, then what to do about it.
import type { Diagnosis, Finding } from './types.ts';

const MARK: Record<Finding['verdict'], string> = { problem: 'PROBLEM', warning: 'WARNING', unknown: 'UNKNOWN', ok: 'ok' };

export function formatDiagnosis(d: Diagnosis, opts: { all?: boolean } = {}): string {
  const lines = [`${d.host}: ${d.verdict.toUpperCase()}`, `  ${d.headline}`, ''];
  const shown = opts.all ? d.findings : d.findings.filter((f) => f.verdict !== 'ok');
  for (const f of shown) {
    lines.push(`  [${MARK[f.verdict]}] ${f.check} (${f.severity}): ${f.summary}`);
    if (f.verdict !== 'ok' && f.explanation) lines.push(`      ${f.explanation}`);
    if (f.managedByPolicy) lines.push('      Managed by Group Policy: change the GPO; a local change would be undone at the next refresh.');
    if (f.fix) lines.push(`      fix: ${f.fix.id} [${f.fix.risk}] ${f.fix.title}: ${f.fix.impact}`);
  }
  const ok = d.findings.filter((f) => f.verdict === 'ok').length;
  if (!opts.all && ok) lines.push(`  ${ok} other check(s) ok.`);
  const auth = d.winrmAuth ? ` (${d.winrmAuth})` : '';
  lines.push(`  (probes ${d.timingsMs.probes} ms and one WinRM command${auth} ${d.timingsMs.plan} ms in parallel; total ${d.timingsMs.total} ms)`);
  return lines.join('\n');
}

/** The public JSON of `rdp-medic check --json`. */
export function diagnosisJson(d: Diagnosis): Record<string, unknown> {
  return {
    host: d.host,
    verdict: d.verdict,
    headline: d.headline,
    ...(d.winrmAuth ? { winrmAuth: d.winrmAuth } : {}),
    findings: d.findings.map((f) => ({
      check: f.check,
      verdict: f.verdict,
      severity: f.severity,
      summary: f.summary,
      evidence: f.evidence,
      fix: f.fix ? { id: f.fix.id, title: f.fix.title, risk: f.fix.risk, impact: f.fix.impact } : null,
    })),
  };
}
