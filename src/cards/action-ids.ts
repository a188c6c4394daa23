// The opaque ids of card buttons, built and parsed in one place so the bot and every adapter agree.
// Ids carry references only (host, fix, approval, undo, request ids): never plans or secrets.

export type ActionRef =
  | { kind: 'propose'; host: string; fixId: string }
  | { kind: 'approve' | 'reject' | 'plan'; approvalId: string }
  | { kind: 'undo'; host: string; undoId: string }
  | { kind: 'details'; requestId: string }
  | { kind: 'evidence'; host: string };

export const proposeActionId = (host: string, fixId: string): string => `propose:${host}:${fixId}`;
export const approveActionId = (approvalId: string): string => `approve:${approvalId}`;
export const rejectActionId = (approvalId: string): string => `reject:${approvalId}`;
export const planActionId = (approvalId: string): string => `plan:${approvalId}`;
export const undoActionId = (host: string, undoId: string): string => `undo:${host}:${undoId}`;
export const detailsActionId = (requestId: string): string => `details:${requestId}`;
export const evidenceActionId = (host: string): string => `evidence:${host}`;

/** The reference behind a clicked id, or null for anything we did not make (never trust a click). */
export function parseActionId(id: string): ActionRef | null {
  const parts = id.split(':');
  const [kind, a, b] = parts;
  const ok = (s: string | undefined): s is string => s !== undefined && s.length > 0;
  if (parts.length === 3 && ok(a) && ok(b)) {
    if (kind === 'propose') return { kind, host: a, fixId: b };
    if (kind === 'undo') return { kind, host: a, undoId: b };
  }
  if (parts.length === 2 && ok(a)) {
    if (kind === 'approve' || kind === 'reject' || kind === 'plan') return { kind, approvalId: a };
    if (kind === 'details') return { kind, requestId: a };
    if (kind === 'evidence') return { kind, host: a };
  }
  return null;
}

/**
 * The grammar text a clicked id stands for (a click is a command): it then takes the same path as
 * typed text, through one parser, one host lookup and one policy decision. Null: not one of ours.
 */
export function commandOfAction(id: string): string | null {
  const ref = parseActionId(id);
  if (!ref) return null;
  switch (ref.kind) {
    case 'propose':
      return `fix ${ref.host} ${ref.fixId}`;
    case 'undo':
      return `undo ${ref.host} ${ref.undoId}`;
    case 'approve':
    case 'reject':
    case 'plan':
      return `${ref.kind} ${ref.approvalId}`;
    case 'details':
      return `details ${ref.requestId}`;
    case 'evidence':
      return `evidence ${ref.host}`;
  }
}
