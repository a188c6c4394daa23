// Bolt listeners for what people do in Slack: /rdp, button clicks, @mentions. Each acknowledges
// first (Bolt acks events itself), then validates the payload, resolves the user's groups, and hands
// the event to the bot; malformed payloads are logged and dropped.
import type { App } from '@slack/bolt';
import type { InboundHandler } from '../../chat/adapter.ts';
import type { ChatUser, Inbound } from '../../chat/model.ts';
import { clickInbound, commandInbound, mentionInbound, parseClick, parseMention } from './inbound.ts';
import type { AdapterLogger } from './logger.ts';
import type { UserGroupResolver } from './user-groups.ts';
import type { UserNames } from './user-names.ts';

export const SLASH_COMMAND = '/rdp';

export interface ListenerDeps {
  onInbound: InboundHandler;
  groups: UserGroupResolver;
  names: UserNames;
  log: AdapterLogger;
  redact: (s: string) => string;
  botUserId: string;
  receivedAt: () => string;
  /** Registers work still in progress after the ack, so stop() can let it finish. */
  track: (p: Promise<void>) => Promise<void>;
}

/** Remembers recent event keys: Slack redelivers an event it thinks was not acknowledged. */
class RecentKeys {
  private readonly keys = new Set<string>();
  /** True the first time a key is seen. */
  firstTime(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    if (this.keys.size > 1_000) this.keys.delete(this.keys.values().next().value as string);
    return true;
  }
}

export function registerListeners(app: App, d: ListenerDeps): void {
  const seen = new RecentKeys();

  const deliver = async (event: Inbound): Promise<void> => {
    try {
      await d.onInbound(event);
    } catch (e) {
      d.log.error({ err: d.redact((e as Error)?.message ?? String(e)), kind: event.kind }, 'slack: the bot failed to handle an inbound event');
    }
  };

  const onCommand = async (body: unknown): Promise<void> => {
    const userId = (body as { user_id?: unknown } | null)?.user_id;
    const groups = typeof userId === 'string' && userId ? await d.groups.groupsOf(userId) : [];
    const event = commandInbound(body, groups, d.receivedAt());
    if (!event) return d.log.warn({}, 'slack: ignored a malformed slash command');
    await deliver(event);
  };

  const onClick = async (body: unknown): Promise<void> => {
    const click = parseClick(body);
    if (!click) return d.log.warn({}, 'slack: ignored a malformed block_actions payload');
    await deliver(clickInbound(click, await d.groups.groupsOf(click.userId), d.receivedAt()));
  };

  const onMention = async (event: unknown): Promise<void> => {
    const mention = parseMention(event);
    if (!mention) return d.log.warn({}, 'slack: ignored a malformed app_mention event');
    if ('bot_id' in mention && mention.bot_id) return; // other bots do not run commands
    if (!seen.firstTime(`${mention.channel}/${mention.ts}`)) return;
    const [name, groups] = await Promise.all([d.names.nameOf(mention.user), d.groups.groupsOf(mention.user)]);
    const user: ChatUser = { platform: 'slack', id: mention.user, name, groups };
    await deliver(mentionInbound(mention, d.botUserId, user, d.receivedAt()));
  };

  app.command(SLASH_COMMAND, async ({ ack, body }) => {
    // Ack first: Slack's 3-second limit must never depend on the bot's work.
    await ack().catch((e: Error) => d.log.warn({ err: d.redact(e.message) }, 'slack: ack of a slash command failed'));
    await d.track(onCommand(body));
  });

  app.action({ type: 'block_actions' }, async ({ ack, body }) => {
    await ack().catch((e: Error) => d.log.warn({ err: d.redact(e.message) }, 'slack: ack of a click failed'));
    await d.track(onClick(body));
  });

  // Bolt acknowledges events itself before listeners run.
  app.event('app_mention', async ({ event }) => d.track(onMention(event)));

  app.error(async (e) => {
    d.log.warn({ err: d.redact(e.message), code: (e as { code?: string }).code }, 'slack: error while handling a Slack request');
  });
}
