// A typed command: rate limit, grammar, policy, audit, then the subcommand. Every refusal is told
// to the user alone, in plain words, and changes nothing.
import { error, refused } from '../cards/index.ts';
import { actorOf } from '../audit/index.ts';
import { isGrammarError, parseCommand, type ParsedCommand } from '../grammar.ts';
import type { Inbound } from '../model.ts';
import { takeCommand } from '../policy/index.ts';
import { startCheck } from './check.ts';
import { openConversation, tell, type BotContext } from './context.ts';
import { requestFix, requestUndo } from './fix-request.ts';
import { infoCard } from './info.ts';

type CommandEvent = Extract<Inbound, { kind: 'command' }>;

export async function handleCommand(ctx: BotContext, event: CommandEvent): Promise<void> {
  const { user, where } = event;
  const platform = user.platform;
  const reply = await openConversation(ctx, 'info', where, user, '');
  const rate = await takeCommand(ctx.redis, user, ctx.config.policy.rateLimit.commandsPerMinute);
  if (!rate.allowed) {
    ctx.counters?.command(platform, 'unknown', 'rate-limited');
    return tell(ctx, reply, user, where, refused(rate.reason, { title: 'Slow down' }), 'rate');
  }
  const parsed = parseCommand(event.text, ctx.inventory, { maxTargets: ctx.config.bot.maxTargets });
  if (isGrammarError(parsed)) {
    ctx.counters?.command(platform, 'unknown', 'invalid');
    return tell(ctx, reply, user, where, error(`${parsed.message}\nType \`/rdp help\` for the commands.`, { title: 'I did not understand that' }), 'invalid');
  }
  const decision = parsed.kind === 'help' ? { allowed: true as const } : parsed.kind === 'fix' || parsed.kind === 'undo' ? ctx.state.policy.mayRequestFix(user) : ctx.state.policy.mayCheck(user);
  await ctx.state.audit.append({ kind: 'command', host: hostOf(parsed), actor: actorOf(user).actor, actorName: actorOf(user).actorName, data: { text: event.text, platform, outcome: decision.allowed ? 'accepted' : 'refused' } });
  if (!decision.allowed) {
    ctx.counters?.command(platform, parsed.kind, 'refused');
    return tell(ctx, reply, user, where, refused(decision.reason), 'policy');
  }
  ctx.counters?.command(platform, parsed.kind, 'accepted');
  await run(ctx, parsed, event, reply);
}

const hostOf = (p: ParsedCommand): string | null => ('host' in p ? p.host : p.kind === 'check' && p.target.by === 'host' ? p.hosts[0]! : null);

async function run(ctx: BotContext, parsed: ParsedCommand, event: CommandEvent, reply: Awaited<ReturnType<typeof openConversation>>): Promise<void> {
  const { user, where } = event;
  switch (parsed.kind) {
    case 'check':
      return startCheck(ctx, parsed, user, where);
    case 'fix':
      await requestFix(ctx, parsed.host, parsed.fixId, user, where, null);
      return;
    case 'undo':
      await requestUndo(ctx, parsed.host, parsed.undoId, user, where, null);
      return;
    default:
      await ctx.outbox.root(reply, await infoCard(ctx, parsed, user));
  }
}
