// The bot: what adapters hand over (commands, clicks) becomes conversations, approvals and jobs.
// It never waits on a host: everything slow is a job, and every answer goes through the outbox.
import { errorText } from '../lib/error-text.ts';
import { showApproval } from '../cards/approval-show.ts';
import { error } from '../cards/index.ts';
import { openConversation, type BotContext } from './handlers/context.ts';
import { handleEvent } from './handlers/dispatch.ts';
import type { Inbound } from '../chat/model.ts';

export type { BotContext, BotCounters } from './handlers/context.ts';

export interface Bot {
  handle(event: Inbound): Promise<void>;
  /** Expires overdue approvals and replaces their buttons; returns how many. */
  sweepExpired(): Promise<number>;
}

export function createBot(ctx: BotContext): Bot {
  return {
    async handle(event) {
      try {
        await handleEvent(ctx, event);
      } catch (e) {
        ctx.logger.error({ err: errorText(e), kind: event.kind }, 'could not handle a chat event');
        // Best effort: say so (Redis may be what failed).
        try {
          const conv = await openConversation(ctx, 'info', event.where, event.user, '');
          await ctx.outbox.ephemeral(conv, 'internal', event.user, event.where, error('I could not handle that just now (an internal error was logged). Nothing was changed; try again in a moment.'));
        } catch {
          /* already logged */
        }
      }
    },
    async sweepExpired() {
      const expired = await ctx.state.approvals.expireDue();
      for (const record of expired) {
        ctx.counters?.approval('expired');
        await ctx.state.audit.append({ kind: 'decision', host: record.host, actor: 'bot', data: { decision: 'expired', approvalId: record.id, fixId: record.fixId } });
        await showApproval(ctx, record);
      }
      return expired.length;
    },
  };
}
