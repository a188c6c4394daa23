// The shape of a check and small builders for its findings. Every finding goes through these so
// the rules hold everywhere: unknown never carries a fix, ok never claims more than was read.
import type { CheckId, CheckInput, Finding, FixProposal, Severity } from '../../types.ts';

export interface Check {
  readonly id: CheckId;
  readonly title: string;
  evaluate(input: CheckInput): Finding;
}

export interface FindingParts {
  summary: string;
  explanation: string;
  evidence?: Record<string, unknown>;
  fix?: FixProposal | null;
  managedByPolicy?: boolean;
  severity?: Severity;
  proof?: string;
  supports?: CheckId;
}

/** Finding builders bound to one check (id, title, default severity for problems). */
export interface Finder {
  readonly id: CheckId;
  readonly title: string;
  ok(summary: string, explanation: string, evidence?: Record<string, unknown>): Finding;
  problem(parts: FindingParts): Finding;
  warning(parts: FindingParts): Finding;
  /** Missing evidence: never a fix, never ok. */
  unknown(summary: string, explanation?: string, evidence?: Record<string, unknown>, supports?: CheckId): Finding;
}

const UNKNOWN_EXPLANATION =
  'rdp-medic does not guess: without this evidence the check stays unknown and proposes no fix. Re-run the diagnosis once the host can be read.';

export function finder(id: CheckId, title: string, problemSeverity: Severity): Finder {
  const base = (verdict: Finding['verdict'], severity: Severity, p: FindingParts): Finding => {
    const f: Finding = {
      check: id,
      title,
      verdict,
      severity: p.severity ?? severity,
      summary: p.summary,
      explanation: p.explanation,
      evidence: p.evidence ?? {},
      fix: p.fix ?? null,
    };
    if (p.managedByPolicy) f.managedByPolicy = true;
    if (p.proof) f.proof = p.proof;
    if (p.supports) f.supports = p.supports;
    return f;
  };
  return {
    id,
    title,
    ok: (summary, explanation, evidence) => base('ok', 'info', { summary, explanation, evidence: evidence ?? {} }),
    // A policy-managed value is never fixed locally: the next Group Policy refresh would undo it.
    problem: (p) => base('problem', problemSeverity, p.managedByPolicy ? { ...p, fix: null } : p),
    warning: (p) => base('warning', 'medium', p.managedByPolicy ? { ...p, fix: null } : p),
    unknown: (summary, explanation, evidence, supports) =>
      base('unknown', 'info', { summary, explanation: explanation ?? UNKNOWN_EXPLANATION, evidence: evidence ?? {}, fix: null, ...(supports ? { supports } : {}) }),
  };
}

export function defineCheck(id: CheckId, title: string, problemSeverity: Severity, evaluate: (input: CheckInput, f: Finder) => Finding): Check {
  const f = finder(id, title, problemSeverity);
  return { id, title, evaluate: (input) => evaluate(input, f) };
}
