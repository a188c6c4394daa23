// A scenario plants one or more causes on a healthy host model. `cause` is the rdp-checks.md check
// id that should find it; `fix` describes, at op level, the fix that cures it (for docs and tests).
import type { HostModel } from '../model/host-model.ts';

export { CHECK_IDS, type CheckId } from '../../rdp/types.ts';
import type { CheckId } from '../../rdp/types.ts';

export interface ScenarioContext {
  /** The lab clock at build time (certificate dates are relative to it). */
  now: Date;
}

export interface Scenario {
  name: string;
  description: string;
  /** The check(s) that should find the planted cause(s); empty for `healthy`. */
  cause: CheckId[];
  /** The curing fix, op by op. */
  fix: string;
  apply(model: HostModel, ctx: ScenarioContext): void;
}
