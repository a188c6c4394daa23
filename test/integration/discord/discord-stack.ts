// The whole product with Discord as its chat, on loopback: the fake Discord (REST + gateway), a real
// redis-server, the lab, a worker and a bot whose Discord adapter is built from the config the way
// `rdp-medic bot` builds it (chatAdapters), so the config's `discord` section and the inventory's
// autocomplete names are the production path. Also: helpers to read what the fake Discord holds.
import { Writable } from 'node:stream';
import { startBot, type RunningBot } from '../../../src/processes/bot.ts';
import { chatAdapters } from '../../../src/commands/lib/chat-adapters.ts';
import { createLogger } from '../../../src/log.ts';
import { FakeDiscord, IDS, buttonInteraction, messageObject, type FakeDiscordOptions, type FakeUser, type RestCall, type StoredInteraction, type StoredMessage } from '../../fakes/discord/index.ts';
import { startStack, type Stack, type StackOptions } from '../../support/stack.ts';

export interface DiscordStack {
  fake: FakeDiscord;
  stack: Stack;
  bot: RunningBot;
  /** Every log line the bot process wrote (JSON), for "never logs a secret" checks. */
  logLines: string[];
  /** Unhandled rejections while the stack ran: a test asserts there are none. */
  rejections: unknown[];
  close(): Promise<void>;
}

export interface DiscordStackOptions {
  policy: Record<string, unknown>;
  hosts?: StackOptions['hosts'];
  /** More of the config's `discord` section (allow-lists). */
  discord?: Record<string, unknown>;
  /** Gateway heartbeat interval; short for the zombie test (Discord's is 41250 ms). */
  heartbeatIntervalMs?: number;
  logLevel?: string;
  /** Enforce Discord's rate limits in the fake (DISCORD_RATE_LIMITS). */
  rateLimits?: FakeDiscordOptions['rateLimits'];
  /** More of the config's `bot` section. */
  botSettings?: Record<string, unknown>;
}

export async function startDiscordStack(opts: DiscordStackOptions): Promise<DiscordStack> {
  const rejections: unknown[] = [];
  const onRejection = (e: unknown): void => void rejections.push(e);
  process.on('unhandledRejection', onRejection);
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger({ level: opts.logLevel ?? 'info', destination: sink });
  const fake = await FakeDiscord.start({ ...(opts.heartbeatIntervalMs ? { heartbeatIntervalMs: opts.heartbeatIntervalMs } : {}), ...(opts.rateLimits ? { rateLimits: opts.rateLimits } : {}) });
  let stack: Stack | null = null;
  try {
    const discord = { token: fake.token, applicationId: IDS.application, apiUrl: fake.apiUrl, oncallRoleId: IDS.oncallRole, requestTimeoutMs: 5_000, ...opts.discord };
    // bot: false: the bot is started below with the adapters the config describes.
    stack = await startStack([], { bot: false, ...(opts.hosts ? { hosts: opts.hosts } : {}), config: { policy: opts.policy, discord, ...(opts.botSettings ? { bot: opts.botSettings } : {}) } });
    // An empty environment: a DISCORD_* variable on the developer's machine must not redirect the test.
    const adapters = chatAdapters(stack.config, logger, {});
    const bot = await startBot(stack.config, adapters, logger);
    const s = stack;
    return {
      fake,
      stack: s,
      bot,
      logLines,
      rejections,
      close: async () => {
        // The bot (and with it discord.js) first: a fake gateway that dies under a live client
        // sends it into a reconnect loop destroy() cannot stop.
        await bot.close();
        await s.close();
        await fake.close();
        process.off('unhandledRejection', onRejection);
      },
    };
  } catch (e) {
    await stack?.close().catch(() => undefined);
    await fake.close();
    process.off('unhandledRejection', onRejection);
    throw e;
  }
}

// ---- reading the fake Discord ----------------------------------------------------------------

interface Embed {
  title?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: { text: string };
}
interface Row {
  components?: { custom_id?: string; label?: string }[];
}

export const titleOf = (m: { embeds?: unknown[] } | undefined): string => ((m?.embeds?.[0] ?? {}) as Embed).title ?? '';

/** Everything a reader sees in a message: content, embed titles, texts, fields, footers. */
export function textOf(m: { content?: string; embeds?: unknown[] }): string {
  const parts = [m.content ?? ''];
  for (const e of (m.embeds ?? []) as Embed[]) {
    parts.push(e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value]), e.footer?.text ?? '');
  }
  return parts.filter(Boolean).join('\n');
}

export const buttonIds = (m: { components?: unknown[] } | undefined): string[] => ((m?.components ?? []) as Row[]).flatMap((r) => (r.components ?? []).map((b) => b.custom_id ?? ''));

/** Messages in a channel (or thread), oldest first (snowflakes grow with time). */
export function messagesIn(fake: FakeDiscord, channelId: string): StoredMessage[] {
  return [...fake.world.messages.values()].filter((m) => m.channel_id === channelId && !m.deleted);
}

/** The one message in `channelId` with a button whose id starts with `prefix`. */
export function findButton(fake: FakeDiscord, channelId: string, prefix: string): { message: StoredMessage; customId: string } {
  const hits = messagesIn(fake, channelId).flatMap((message) => buttonIds(message).filter((id) => id.startsWith(prefix)).map((customId) => ({ message, customId })));
  if (hits.length !== 1) {
    const seen = messagesIn(fake, channelId).map((m) => `${titleOf(m)} [${buttonIds(m).join(', ')}]`);
    throw new Error(`expected one button "${prefix}…" in ${channelId}, found ${hits.length}; messages:\n${seen.join('\n')}`);
  }
  return hits[0]!;
}

/** A member clicks a button on a message in a thread (as Discord sends it: the message as it is now). */
export function clickInThread(fake: FakeDiscord, thread: string, target: { message: StoredMessage; customId: string }, user: FakeUser): StoredInteraction {
  const m = target.message;
  return fake.sendInteraction(
    buttonInteraction({
      customId: target.customId,
      messageId: m.id,
      channelId: thread,
      channelType: 11,
      parentId: IDS.channel,
      user,
      message: messageObject({ id: m.id, channel_id: thread, content: m.content, embeds: m.embeds, components: m.components, webhook_id: IDS.application }),
    }),
  );
}

// ---- REST call predicates -------------------------------------------------------------------

export const isCallbackOf = (i: StoredInteraction) => (c: RestCall) => c.method === 'POST' && c.path === `/interactions/${i.id}/${i.token}/callback`;
export const isOriginalEditOf = (i: StoredInteraction) => (c: RestCall) => c.method === 'PATCH' && c.path === `/webhooks/${IDS.application}/${i.token}/messages/@original`;
export const isFollowUpOf = (i: StoredInteraction) => (c: RestCall) => c.method === 'POST' && c.path === `/webhooks/${IDS.application}/${i.token}`;
/** A successful POST into a channel or thread whose first embed's title matches. */
export const isPostIn = (channelId: string, title: RegExp) => (c: RestCall) =>
  c.method === 'POST' && c.path === `/channels/${channelId}/messages` && (c.status ?? 0) < 300 && title.test(titleOf(c.body as { embeds?: unknown[] }));
