// The Discord ChatAdapter: discord.js v14 (Guilds intent only) for the gateway and the
// acknowledgements, raw REST bodies for everything the bot posts. Inbound: every slash command is
// deferred and every click deferUpdate'd before the bot hears of it (Discord's 3-second limit);
// the interaction, whose token answers it for 15 minutes, stays in this process's memory under
// its id, which is all the bot sees (`handle`) and which names the delivery (`deliveryId`: a gateway
// replay is acted on once). An interaction from a guild or channel outside the allow-list is refused
// to its sender and never reaches the bot, and so does the first press of a press-twice button
// (press-twice.ts). Outbound (what the bot posts) is outbound.ts.
import { withTimeout } from '../../lib/with-timeout.ts';
import { Client, Events, GatewayIntentBits, MessageFlags, REST, type RESTOptions, type ButtonInteraction, type ChatInputCommandInteraction, type Interaction, type AutocompleteInteraction } from 'discord.js';
import type { ChatAdapter, InboundHandler } from '../../chat/adapter.ts';
import { DeliveryError } from '../../chat/adapter.ts';
import type { ChatUser } from '../../chat/model.ts';
import { silentLogger, type Logger } from '../../log.ts';
import { autocompleteChoices, type InventoryNames } from './autocomplete.ts';
import { COMMAND_NAME, toGrammarText } from './commands.ts';
import { loginFailure, toDeliveryError } from './errors.ts';
import { buttonWhere, commandWhere, inThread, placeRefusal, slashInputOf, userOf } from './inbound.ts';
import { DEFAULT_TTL_MS, LiveInteractions } from './live-interactions.ts';
import { guardPacket, type RawPacket } from './packet-guard.ts';
import { askAgainText, PRESS_TWICE_WINDOW_MS, readCustomId, SecondPress } from './press-twice.ts';
import { discordOutbound } from './outbound.ts';
import { DiscordRest } from './rest-calls.ts';
import { allowedPlaces, type DiscordSettings } from './settings.ts';

export interface DiscordAdapterOptions {
  /** The names this user may target, for autocomplete; read on every keystroke (keep it cheap). */
  inventory: (user: ChatUser) => InventoryNames;
  /** Fix ids the `fix` option autocompletes. */
  fixIds: string[];
  logger?: Logger;
  /** How long an interaction token is used (default 14 minutes; never more than Discord's 15). */
  interactionTtlMs?: number;
  /** Budget for login (gateway discovery, HELLO, IDENTIFY, READY). Default 30 s. */
  loginTimeoutMs?: number;
  now?: () => number;
  /** How soon a press-twice button's second press must follow the first (default 15 s). */
  pressTwiceWindowMs?: number;
}

export function createDiscordAdapter(settings: DiscordSettings, opts: DiscordAdapterOptions): ChatAdapter {
  const log = (opts.logger ?? silentLogger).child({ adapter: 'discord' });
  const now = opts.now ?? Date.now;
  const live = new LiveInteractions(opts.interactionTtlMs ?? DEFAULT_TTL_MS, now);
  const presses = new SecondPress(opts.pressTwiceWindowMs ?? PRESS_TWICE_WINDOW_MS, now);
  const places = allowedPlaces(settings);
  /** Channel type (and a thread's parent) per interaction id, from the raw packet, until its handler reads it. */
  const channelInfo = new Map<string, { type: number; parentId: string | null }>();
  const rememberChannel = (id: string, type: number, parentId: string | null): void => {
    // Bounded: interactions nobody handles (other types) must not pile up.
    if (channelInfo.size >= 1000) channelInfo.delete(channelInfo.keys().next().value!);
    channelInfo.set(id, { type, parentId });
  };
  const takeChannel = (i: Interaction): { isThread: boolean; parentId: string | null } => {
    const info = channelInfo.get(i.id);
    channelInfo.delete(i.id);
    return { isThread: inThread(i, info?.type), parentId: info?.parentId ?? null };
  };
  let client: Client | null = null;
  let rest: DiscordRest | null = null;
  let interactionRest: REST | null = null;
  let onInbound: InboundHandler | null = null;

  const need = (): { client: Client; rest: DiscordRest } => {
    if (!client || !rest) throw new DeliveryError('the Discord adapter is not started', { notSent: true });
    return { client, rest };
  };
  const outbound = discordOutbound({ settings, live, need });

  async function deliver(event: Parameters<InboundHandler>[0]): Promise<void> {
    try {
      await onInbound?.(event);
    } catch (e) {
      log.error({ kind: event.kind, error: (e as Error).message }, 'the bot failed to take a Discord event');
    }
  }

  async function onCommand(i: ChatInputCommandInteraction, isThread: boolean): Promise<void> {
    const receivedAt = new Date(now()).toISOString();
    if (i.commandName !== COMMAND_NAME) {
      await i.reply({ content: `This bot answers /${COMMAND_NAME} only.`, flags: MessageFlags.Ephemeral });
      return;
    }
    // Acknowledge first: Discord gives 3 seconds, and nothing the bot does may stand in the way.
    let handle: string | null = null;
    try {
      await i.deferReply();
      live.add({ kind: 'command', interaction: i, inThread: isThread, answered: false });
      handle = i.id;
    } catch (e) {
      log.warn({ interaction: i.id, error: toDeliveryError(e, 'deferReply').message }, 'could not defer a slash command; the answer goes to the channel');
    }
    if (!i.channelId) {
      log.warn({ interaction: i.id }, 'slash command without a channel; ignored');
      return;
    }
    const text = toGrammarText(slashInputOf(i));
    await deliver({ kind: 'command', text, user: userOf(i), where: { ...commandWhere(i, i.channelId), handle }, receivedAt, deliveryId: i.id });
  }

  async function onButton(i: ButtonInteraction, isThread: boolean): Promise<void> {
    const receivedAt = new Date(now()).toISOString();
    const { actionId, pressTwice } = readCustomId(i.customId);
    if (pressTwice) {
      const verdict = presses.press({ messageId: i.message.id, customId: i.customId, userId: i.user.id, interactionId: i.id });
      if (verdict === 'replay') return;
      if (verdict === 'ask') {
        const label = (i.component as { label?: string | null } | null | undefined)?.label ?? actionId;
        const embeds = i.message.embeds.map((e) => e.toJSON());
        await i.reply({ content: askAgainText(label, embeds, presses.windowMs), flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] } });
        return;
      }
    }
    let handle: string | null = null;
    try {
      await i.deferUpdate();
      live.add({ kind: 'button', interaction: i, inThread: isThread });
      handle = i.id;
    } catch (e) {
      log.warn({ interaction: i.id, error: toDeliveryError(e, 'deferUpdate').message }, 'could not acknowledge a click; handling it anyway');
    }
    if (!i.channelId) {
      log.warn({ interaction: i.id }, 'click without a channel; ignored');
      return;
    }
    await deliver({ kind: 'action', actionId, user: userOf(i), where: { ...buttonWhere(i, i.channelId, isThread), handle }, messageId: i.message.id, receivedAt, deliveryId: i.id });
  }

  async function onAutocomplete(i: AutocompleteInteraction): Promise<void> {
    const focused = i.options.getFocused(true);
    const sub = i.options.getSubcommand(false) ?? '';
    const choices = autocompleteChoices(sub, focused.name, String(focused.value), { inventory: opts.inventory(userOf(i)), fixIds: opts.fixIds });
    await i.respond(choices);
  }

  async function onInteraction(i: Interaction): Promise<void> {
    const { isThread, parentId } = takeChannel(i);
    const refused = placeRefusal(i.guildId, i.channelId, parentId, places);
    if (refused) {
      log.warn({ interaction: i.id, guild: i.guildId, channel: i.channelId }, 'refused an interaction from outside discord.allowedGuilds / discord.allowedChannels');
      // Autocomplete too: the inventory's names are not for other servers.
      if (i.isAutocomplete()) return i.respond([]);
      if (i.isChatInputCommand() || i.isButton()) await i.reply({ content: refused, flags: MessageFlags.Ephemeral });
      return;
    }
    if (i.isAutocomplete()) return onAutocomplete(i);
    if (i.isChatInputCommand()) return onCommand(i, isThread);
    if (i.isButton()) return onButton(i, isThread);
    log.debug({ interaction: i.id, type: i.type }, 'ignored an interaction type rdp-medic does not use');
  }

  return {
    platform: 'discord',

    async start(handler: InboundHandler): Promise<void> {
      if (client) throw new Error('the Discord adapter is already started');
      onInbound = handler;
      const restOptions: Partial<RESTOptions> = {
        ...(settings.apiUrl ? { api: settings.apiUrl } : {}),
        timeout: settings.requestTimeoutMs,
        // The deliver queue retries with backoff; the library should fail fast and say why.
        retries: 0,
        // Short rate-limit waits happen in the bucket queue; long ones go back as retryAfterMs.
        rejectOnRateLimit: (data) => data.timeToReset > settings.maxRateLimitWaitMs,
      };
      const c = new Client({
        intents: [GatewayIntentBits.Guilds],
        // Card text never pings; render.ts names the one role or user a message may mention.
        allowedMentions: { parse: [] },
        rest: restOptions,
      });
      c.on('raw', (packet: RawPacket) => {
        const result = guardPacket(packet);
        if (result?.ok === false) log.warn({ problem: result.problem }, 'dropped a malformed INTERACTION_CREATE');
        else if (result?.ok) rememberChannel(result.interactionId, result.channelType, result.parentId ?? null);
      });
      c.on(Events.InteractionCreate, (i) => {
        onInteraction(i).catch((e: unknown) => log.error({ interaction: i.id, error: toDeliveryError(e, 'interaction').message }, 'failed to handle a Discord interaction'));
      });
      c.on(Events.Error, (e) => log.error({ error: toDeliveryError(e, 'client').message }, 'discord.js error'));
      c.on(Events.Warn, (m) => log.warn({ message: m }, 'discord.js warning'));
      c.on(Events.ShardReconnecting, (id) => log.info({ shard: id }, 'gateway reconnecting'));
      c.on(Events.ShardResume, (id, replayed) => log.info({ shard: id, replayed }, 'gateway resumed'));
      client = c;
      // Interaction webhooks are not bound to the global limit (rest-calls.ts); their buckets still hold.
      interactionRest = new REST({ ...restOptions, globalRequestsPerSecond: Number.MAX_SAFE_INTEGER });
      rest = new DiscordRest(c.rest, settings.applicationId, interactionRest);
      try {
        await withTimeout(c.login(settings.token), opts.loginTimeoutMs ?? 30_000, 'Discord login');
        log.info({ user: c.user?.id }, 'connected to Discord');
        if (!places.guilds) log.warn({}, 'discord.allowedGuilds (and discord.guildId) are not set: commands from every guild the bot is in are taken');
      } catch (e) {
        client = null;
        rest = null;
        await c.destroy();
        throw new Error(loginFailure(e));
      }
    },

    async stop(): Promise<void> {
      const c = client;
      client = null;
      rest = null;
      onInbound = null;
      live.clear();
      presses.clear();
      interactionRest?.clearHashSweeper();
      interactionRest?.clearHandlerSweeper();
      interactionRest = null;
      // Destroy closes the gateway with 1000 and ends the heartbeat; REST timers are unref'd.
      if (c) await c.destroy();
    },

    ...outbound,
  };
}
