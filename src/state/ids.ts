// The ids people type, click and jobs carry, as one zod schema each: the grammar parses commands
// with these and the job schemas validate job data with the same ones, so a command that passes
// the grammar never fails its job's schema ("undo work-pc abc" is refused as a bad undo id, not
// queued and then lost as an internal error). Also the generators of new ids (base36, 64 bits).
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { UNDO_ID_PATTERN } from '../rdp/undo-store.ts';

/** A fix of the catalogue, as `fix HOST FIX_ID` names it. */
export const FixId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'a fix id is lower-case letters, digits and "-"');
/** What `rdp-medic fix` and a fix result print: "u-" and 8 characters of Crockford's base32. */
export const UndoId = z.string().regex(UNDO_ID_PATTERN, 'an undo id is "u-" and 8 characters (the fix result names it, like u-7k3m9qzx)');
export const ApprovalId = z.string().regex(/^a_[A-Za-z0-9_-]{8,32}$/, 'an approval id is "a_" and 8-32 url-safe characters');
export const ConversationId = z.string().regex(/^r-[0-9a-z]{8,32}$/, 'a conversation id is "r-" and 8-32 base36 characters');
export type ConversationId = z.infer<typeof ConversationId>;
export const RunId = z.string().regex(/^d-[0-9a-z]{8,32}$/, 'a diagnosis run id is "d-" and 8-32 base36 characters');

const random = (): string => randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0');

export const newConversationId = (): string => `r-${random()}`;
export const newRunId = (): string => `d-${random()}`;
