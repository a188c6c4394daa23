// Orders findings most-likely-root-cause first: problems, then warnings, unknowns, oks; within a
// verdict by CHECK_IDS, which is kept in cause order (the reasoning is beside it in types.ts).
import { CHECK_IDS, type CheckId, type Finding, type Verdict } from '../types.ts';

/** The rank of each check within a verdict: CHECK_IDS itself. */
export const CAUSE_RANK: readonly CheckId[] = CHECK_IDS;

const VERDICT_ORDER: Record<Verdict, number> = { problem: 0, warning: 1, unknown: 2, ok: 3 };

function rank(id: CheckId): number {
  const i = CAUSE_RANK.indexOf(id);
  return i < 0 ? CAUSE_RANK.length : i;
}

/** A new, sorted array; stable for equal keys. */
export function orderFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict] || rank(a.check) - rank(b.check));
}
