// Job data, validated with zod when enqueued and again when a worker picks it up. Jobs carry
// references only (host ids, approval and conversation ids, chat users, Cards to show): never
// credentials, endpoints or plans. Workers resolve hosts from their own configuration.
import { z } from 'zod';
import { HostId } from '../config/schema.ts';
import { Card, ChatUser, ConversationRef, Platform } from '../chat/model.ts';
import { ApprovalId, ConversationId, FixId, RunId, UndoId } from './ids.ts';

export { ConversationId } from './ids.ts';

/** One diagnosis of one host; who waits for it is in the join set of `runId` (diagnosis-join.ts). */
export const DiagnoseJob = z.object({ host: HostId, runId: RunId }).strict();
export type DiagnoseJob = z.infer<typeof DiagnoseJob>;

export const FixJob = z.discriminatedUnion('kind', [
  /** Build the plan from fresh facts and ask for approval in the conversation. */
  z.object({ kind: z.literal('plan'), host: HostId, fixId: FixId, conversationId: ConversationId, requester: ChatUser }).strict(),
  /** Run an approved fix. */
  z.object({ kind: z.literal('apply'), approvalId: ApprovalId }).strict(),
  /** Plan putting back what a fix changed, and ask for its approval (an undo is a fix). */
  z.object({ kind: z.literal('plan-undo'), host: HostId, undoId: UndoId, conversationId: ConversationId, requester: ChatUser }).strict(),
  /** Collect a host's evidence (a fresh diagnosis with its facts) and post it as a file: the conversation's root (typed) or a reply (a click in its thread). */
  z.object({ kind: z.literal('evidence'), host: HostId, conversationId: ConversationId, requester: ChatUser, post: z.enum(['root', 'reply']) }).strict(),
]);
export type FixJob = z.infer<typeof FixJob>;

/** One message to show. `key` names it within its conversation, so a retry never posts it twice. */
export const OutboundMessage = z.discriminatedUnion('op', [
  /**
   * `interim`: a progress card an update of the root replaces soon ("Checking work-pc…"). Where the
   * platform already shows a placeholder it waits a moment for that update and is sent as it.
   */
  z.object({ op: z.literal('root'), key: z.literal('root'), card: Card, interim: z.boolean().optional() }).strict(),
  z.object({ op: z.literal('reply'), key: z.string().min(1).max(120), card: Card }).strict(),
  /** Replace message `of`; an update older than the last one delivered (`version`) is dropped. */
  z.object({ op: z.literal('update'), of: z.string().min(1).max(120), version: z.number().int().min(0), card: Card }).strict(),
  /** To one user, answering `where` (a click or a command). */
  z.object({ op: z.literal('ephemeral'), key: z.string().min(1).max(120), user: ChatUser, where: ConversationRef, card: Card }).strict(),
]);
export type OutboundMessage = z.infer<typeof OutboundMessage>;

/** Messages for one conversation, delivered in order. */
export const DeliverJob = z
  .object({
    platform: Platform,
    conversationId: ConversationId,
    messages: z.array(OutboundMessage).min(1).max(60),
    /** When its first delivery attempt failed (epoch ms): retries are bounded by time from here. */
    failingSince: z.number().int().positive().optional(),
  })
  .strict();
export type DeliverJob = z.infer<typeof DeliverJob>;
