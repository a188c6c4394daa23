// One summary card for a fleet check, updated in place as hosts finish: counts per verdict, the
// worst hosts first, capped, with per-host details behind a button (never a message per host).
import type { Verdict } from '../rdp/types.ts';
import type { Card, CardStatus } from '../chat/model.ts';
import { detailsActionId } from './action-ids.ts';
import { VERDICT_ORDER, verdictStatus } from './status.ts';
import { capLines, plural } from './text.ts';

import type { FleetHostResult } from '../state/diagnoses.ts';

export type { FleetHostResult };

export interface FleetSummaryOptions {
  /** The fleet request, for the details button. */
  requestId: string;
  /** What was typed ("group:lab"). */
  selector?: string;
  /** Host lines shown before "… and M more" (default 15). */
  maxLines?: number;
}

const HEADLINE_MAX = 160;
const LABEL: Record<Verdict, string> = { problem: 'Problem', warning: 'Warning', unknown: 'Unknown', ok: 'OK' };

function worst(results: readonly FleetHostResult[]): Verdict {
  return VERDICT_ORDER.find((v) => results.some((r) => r.verdict === v)) ?? 'ok';
}

export function fleetSummary(results: readonly FleetHostResult[], total: number, done: number, opts: FleetSummaryOptions): Card {
  const finished = done >= total;
  const status: CardStatus = finished ? verdictStatus(worst(results)) : 'running';
  const rank = (v: Verdict): number => VERDICT_ORDER.indexOf(v);
  // Stable: within a verdict, hosts keep the order they finished in.
  const sorted = [...results].sort((a, b) => rank(a.verdict) - rank(b.verdict));
  const clip = (s: string): string => (s.length > HEADLINE_MAX ? `${s.slice(0, HEADLINE_MAX - 1)}…` : s);
  const lines = capLines(sorted.filter((r) => r.verdict !== 'ok').map((r) => `${LABEL[r.verdict]}: ${r.host}: ${clip(r.headline)}`), opts.maxLines ?? 15);
  const counts = VERDICT_ORDER.map((v) => ({ label: LABEL[v], value: String(results.filter((r) => r.verdict === v).length) }));
  const what = opts.selector ?? plural(total, 'host');
  return {
    title: finished ? `${what}: ${done} of ${total} checked` : `Checking ${what}: ${done} of ${total} done…`,
    status,
    sections: [
      { kind: 'fields', fields: finished ? counts : [...counts, { label: 'Pending', value: String(Math.max(0, total - done)) }] },
      ...(lines.length ? [{ kind: 'text' as const, text: lines.join('\n') }] : done > 0 ? [{ kind: 'text' as const, text: finished ? 'Every host looks healthy.' : 'No host with a problem so far.' }] : []),
    ],
    actions: [{ id: detailsActionId(opts.requestId), label: 'Per-host details', style: 'default' }],
    footer: `request ${opts.requestId}`,
  };
}
