// The card status a doctor's verdict maps to (the adapters pick colours and emoji from the status).
import type { Verdict } from '../rdp/types.ts';
import type { CardStatus } from '../chat/model.ts';

const BY_VERDICT: Record<Verdict, CardStatus> = { problem: 'problem', warning: 'warning', unknown: 'unknown', ok: 'ok' };

export function verdictStatus(verdict: Verdict): CardStatus {
  return BY_VERDICT[verdict];
}

/** Worst first: the order problem hosts and findings are listed in. */
export const VERDICT_ORDER: readonly Verdict[] = ['problem', 'warning', 'unknown', 'ok'];

/** A status in one word, as every platform names it next to its own colour or emoji. */
export const STATUS_LABEL: Record<CardStatus, string> = {
  info: 'Info',
  running: 'Running',
  ok: 'OK',
  warning: 'Warning',
  problem: 'Problem',
  unknown: 'Unknown',
  pending: 'Pending',
  done: 'Done',
  refused: 'Refused',
};
