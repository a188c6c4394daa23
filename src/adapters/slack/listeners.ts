// Bolt listeners for what people do in Slack: /rdp, button clicks, @mentions. Each acknowledges
// first (Bolt acks events itself), then validates the payload, checks where it comes from (the
// workspace and channel allow-list), resolves the user's groups, and hands the event to the bot with
// Slack's id of the delivery; malformed payloads are logged and dropped.
import type { App } from '@slack/bolt';
import type { InboundHandler } from '../../chat/adapter.ts';
import type { ChatUser, Inbound } from '../../chat/model.ts';
import { clickInbound, commandInbound, deliveryIdOf, mentionInbound, parseClick, parseMention, placeRefusal, teamsOf, type SlackPlaces } from './inbound.ts';
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
  /** The workspaces and channels the bot answers in. */
  places: SlackPlaces;
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

  /** Null when the payload may reach the bot; else the refusal (logged without any user text). */
  const refusal = (body: unknown, channel: string, kind: string): string | null => {
    const teams = teamsOf(body);
    const refused = placeRefusal(teams, channel, d.places);
    if (refused) d.log.warn({ kind, teams, channel }, 'slack: refused a request from outside slack.allowedTeams / slack.allowedChannels');
    return refused;
  };

  const withDelivery = (event: Inbound, body: unknown): Inbound => {
    const deliveryId = deliveryIdOf(body);
    return deliveryId === undefined ? event : { ...event, deliveryId };
  };

  const onCommand = async (body: unknown): Promise<void> => {
    const userId = (body as { user_id?: unknown } | null)?.user_id;
    const groups = typeof userId === 'string' && userId ? await d.groups.groupsOf(userId) : [];
    const event = commandInbound(body, groups, d.receivedAt());
    if (!event) return d.log.warn({}, 'slack: ignored a malformed slash command');
    await deliver(withDelivery(event, body));
  };

  /** A well-formed command from outside the allow-list: its refusal (malformed ones are dropped later). */
  const commandRefusal = (body: unknown): string | null => {
    const event = commandInbound(body, [], '');
    return event ? refusal(body, event.where.channel, 'command') : null;
  };

  const onClick = async (body: unknown): Promise<void> => {
    const click = parseClick(body);
    if (!click) return d.log.warn({}, 'slack: ignored a malformed block_actions payload');
    if (refusal(body, click.channel, 'click')) return;
    await deliver(withDelivery(clickInbound(click, await d.groups.groupsOf(click.userId), d.receivedAt()), body));
  };

  const onMention = async (event: unknown, body: unknown): Promise<void> => {
    const mention = parseMention(event);
    if (!mention) return d.log.warn({}, 'slack: ignored a malformed app_mention event');
    if ('bot_id' in mention && mention.bot_id) return; // other bots do not run commands
    if (!seen.firstTime(`${mention.channel}/${mention.ts}`)) return;
    if (refusal(body, mention.channel, 'mention')) return;
    const [name, groups] = await Promise.all([d.names.nameOf(mention.user), d.groups.groupsOf(mention.user)]);
    const user: ChatUser = { platform: 'slack', id: mention.user, name, groups };
    await deliver(withDelivery(mentionInbound(mention, d.botUserId, user, d.receivedAt()), body));
  };

  app.command(SLASH_COMMAND, async ({ ack, body }) => {
    // Ack first: Slack's 3-second limit must never depend on the bot's work. A command from outside
    // the allow-list is answered in the ack itself, to that person only, and goes no further.
    const refused = commandRefusal(body);
    await (refused ? ack({ response_type: 'ephemeral', text: refused }) : ack()).catch((e: Error) => d.log.warn({ err: d.redact(e.message) }, 'slack: ack of a slash command failed'));
    if (!refused) await d.track(onCommand(body));
  });

  app.action({ type: 'block_actions' }, async ({ ack, body }) => {
    await ack().catch((e: Error) => d.log.warn({ err: d.redact(e.message) }, 'slack: ack of a click failed'));
    await d.track(onClick(body));
  });

  // Bolt acknowledges events itself before listeners run.
  app.event('app_mention', async ({ event, body }) => d.track(onMention(event, body)));

  app.error(async (e) => {
    d.log.warn({ err: d.redact(e.message), code: (e as { code?: string }).code }, 'slack: error while handling a Slack request');
  });
}
