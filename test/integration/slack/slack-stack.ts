// The whole product behind the real Slack adapter: FakeSlack (Web API + Socket Mode), the real Bolt
// in Socket Mode or HTTP mode (signed requests), and startStack (redis-server, lab, worker, bot).
// A driver types commands and clicks buttons as people in Slack would, in either mode, and reads
// back what the bot posted from the fake's record of Web API calls.
import assert from 'node:assert/strict';
import { createSlackAdapter, type SlackAdapter } from '../../../src/adapters/slack/adapter.ts';
import { loadSlackSettings, type SlackMode } from '../../../src/adapters/slack/settings.ts';
import type { PolicyInput } from '../../../src/config/policy.ts';
import { FAKE_APP_TOKEN, FAKE_BOT_TOKEN, FakeSlack, type ApiCall } from '../../fakes/slack/index.ts';
import { blockActionsPayload, formBody, payloadBody, slashCommandPayload } from '../../fakes/slack/payloads.ts';
import { sendSigned, type SignedOptions } from '../../fakes/slack/signed.ts';
import { captureLogger, type LogLine } from '../../adapters/slack/harness.ts';
import { startStack, type Stack, type StackOptions } from '../../support/stack.ts';

export const SIGNING_SECRET = 'e2e-signing-secret-0123456789abcdef';
export const CHANNEL = 'C0OPS';
/** Slack user group whose members approve fixes. */
export const APPROVERS = 'S0APPR';

export interface Person {
  id: string;
  name: string;
}

export const alice: Person = { id: 'U0ALICE', name: 'alice' };
export const bob: Person = { id: 'U0BOB', name: 'bob' };
export const carol: Person = { id: 'U0CAROL', name: 'carol' };
export const dave: Person = { id: 'U0DAVE', name: 'dave' };

/**
 * Everyone responds; approvers are whoever is in the S0APPR user group (alice too, so that her
 * refusal on her own fix is four-eyes, not a missing role). carol holds no approver role.
 */
export const POLICY: PolicyInput = {
  roles: { responder: [alice, bob, carol, dave].map((p) => `slack:${p.id}`), approver: [`slack-group:${APPROVERS}`] },
  approve: { safe: ['approver'], disruptive: ['approver'], 'weakens-security': ['approver'] },
  fourEyes: ['safe', 'disruptive', 'weakens-security'],
  rateLimit: { commandsPerMinute: 1000 },
};

export const HOSTS = [
  { name: 'work-pc', scenarios: ['cert-expired'] },
  { name: 'dup-pc', scenarios: ['cert-expired'] },
  { name: 'exp-pc', scenarios: ['cert-expired'] },
  { name: 'ok-pc', scenarios: ['healthy'] },
  { name: 'replay-pc', scenarios: ['cert-expired'] },
  // Cut off: WinRM and RDP refuse connections.
  { name: 'off-pc', scenarios: ['healthy'], offline: true },
];

/** Where a click happened: the clicked message and the thread it is in (none for a root). */
export interface Clicked {
  ts: string;
  threadTs?: string;
}

export interface SlackStack {
  mode: SlackMode;
  fake: FakeSlack;
  adapter: SlackAdapter;
  stack: Stack;
  log: LogLine[];
  driver: SlackDriver;
  close(): Promise<void>;
}

export async function startSlackStack(mode: SlackMode, opts: StackOptions = {}): Promise<SlackStack> {
  const fake = await FakeSlack.start({
    usergroups: [
      { id: 'S0RESP', handle: 'rdp-responders', users: [alice.id, bob.id, carol.id, dave.id] },
      { id: APPROVERS, handle: 'rdp-approvers', users: [alice.id, bob.id, dave.id] },
    ],
    users: Object.fromEntries([alice, bob, carol, dave].map((p) => [p.id, p.name])),
  });
  // The workspace allow-list is the bot token's own (T0001, from auth.test); the channel list is ours.
  const settings = loadSlackSettings({ botToken: FAKE_BOT_TOKEN, appToken: FAKE_APP_TOKEN, signingSecret: SIGNING_SECRET, mode, port: 0, apiUrl: fake.apiUrl, allowedChannels: [CHANNEL] }, {});
  const { logger, lines } = captureLogger();
  const adapter = createSlackAdapter(settings, { logger, host: '127.0.0.1', apiTimeoutMs: 5_000, startTimeoutMs: 10_000 });
  let stack: Stack;
  try {
    stack = await startStack([adapter], { hosts: HOSTS, ...opts, config: { policy: POLICY, ...opts.config } });
  } catch (e) {
    await adapter.stop();
    await fake.close();
    throw e;
  }
  return {
    mode,
    fake,
    adapter,
    stack,
    log: lines,
    driver: new SlackDriver(mode, fake, adapter),
    async close() {
      // The bot stops the adapter (Socket Mode disconnects first), then the fake can go.
      await stack.close();
      await fake.close();
    },
  };
}

/** Commands and clicks as Slack sends them, in the adapter's mode; each resolves once acknowledged. */
export class SlackDriver {
  constructor(
    readonly mode: SlackMode,
    private readonly fake: FakeSlack,
    private readonly adapter: SlackAdapter,
  ) {}

  /** Sends a signed body to the events URL (HTTP mode only). */
  signed(body: string, opts: Partial<SignedOptions> = {}): ReturnType<typeof sendSigned> {
    assert.equal(this.mode, 'http');
    return sendSigned(this.adapter.eventsUrl ?? '', body, { secret: SIGNING_SECRET, timeoutMs: 5_000, ...opts });
  }

  /** Sends a slash command payload as Slack would; returns what the ack said (null: empty). */
  async commandAck(payload: Record<string, string>): Promise<unknown> {
    if (this.mode === 'socket') {
      const { envelopeId } = this.fake.socket.send('slash_commands', payload);
      const { payload: ack } = await this.fake.socket.waitForAck(envelopeId);
      return ack && Object.keys(ack as object).length ? ack : null;
    }
    const res = await this.signed(formBody(payload));
    assert.equal(res.status, 200, `slash command answered ${res.status}: ${res.body}`);
    return res.body ? JSON.parse(res.body) : null;
  }

  async command(text: string, who: Person): Promise<void> {
    const payload = slashCommandPayload({ text, userId: who.id, userName: who.name, channelId: CHANNEL, responseUrl: this.fake.responseUrl('cmd') });
    if (this.mode === 'socket') {
      const { envelopeId } = this.fake.socket.send('slash_commands', payload);
      assert.deepEqual((await this.fake.socket.waitForAck(envelopeId)).payload, {}, 'acked with an empty payload');
      return;
    }
    const res = await this.signed(formBody(payload));
    assert.equal(res.status, 200, `slash command answered ${res.status}: ${res.body}`);
    assert.equal(res.body, '');
  }

  async click(actionId: string, on: Clicked, who: Person): Promise<void> {
    const payload = blockActionsPayload({ actionId, userId: who.id, userName: who.name, channelId: CHANNEL, messageTs: on.ts, ...(on.threadTs ? { threadTs: on.threadTs } : {}), responseUrl: this.fake.responseUrl('click') });
    if (this.mode === 'socket') {
      const { envelopeId } = this.fake.socket.send('interactive', payload);
      assert.deepEqual((await this.fake.socket.waitForAck(envelopeId)).payload, {}, 'click acked with an empty payload');
      return;
    }
    const res = await this.signed(payloadBody(payload));
    assert.equal(res.status, 200, `click answered ${res.status}: ${res.body}`);
  }
}

// ---- reading what the bot posted ----

type Json = Record<string, unknown>;

const ok = (c: ApiCall): boolean => c.status === 200 && (c.response as Json | null)?.ok === true;

/** Every text of a message: the fallback text and every text in its blocks (buttons, confirms, fields). */
export function textOf(c: ApiCall): string {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'text' && typeof x === 'string') out.push(x);
        else walk(x);
      }
    }
  };
  if (typeof c.args.text === 'string') out.push(c.args.text);
  walk(c.args.blocks);
  return out.join('\n');
}

/** What people read in the message itself: its blocks, without the notification (fallback) text. */
export function blocksTextOf(c: ApiCall): string {
  return textOf({ ...c, args: { ...c.args, text: undefined } });
}

export interface ButtonOf {
  action_id: string;
  confirm?: Json;
  style?: string;
}

/** The buttons of a message, in order. */
export function buttonsOf(c: ApiCall): ButtonOf[] {
  const blocks = Array.isArray(c.args.blocks) ? (c.args.blocks as Json[]) : [];
  return blocks.filter((b) => b.type === 'actions').flatMap((b) => (b.elements as ButtonOf[]) ?? []);
}

export const tsOf = (c: ApiCall): string => String((c.response as Json).ts);

/** A message the bot posted successfully (chat.postMessage answered ok). */
export const isPost = (c: ApiCall): boolean => c.method === 'chat.postMessage' && ok(c);
export const isRoot = (c: ApiCall): boolean => isPost(c) && c.args.thread_ts === undefined;
export const inThread = (rootTs: string) => (c: ApiCall): boolean => isPost(c) && c.args.thread_ts === rootTs;
export const isUpdateOf = (ts: string) => (c: ApiCall): boolean => c.method === 'chat.update' && ok(c) && c.args.ts === ts;
export const isEphemeralTo = (who: Person) => (c: ApiCall): boolean => c.method === 'chat.postEphemeral' && ok(c) && c.args.user === who.id;
export const withButton = (prefix: string) => (c: ApiCall): boolean => buttonsOf(c).some((b) => b.action_id.startsWith(prefix));
export const saying = (re: RegExp) => (c: ApiCall): boolean => re.test(textOf(c));
export const all =
  (...preds: ((c: ApiCall) => boolean)[]) =>
  (c: ApiCall): boolean =>
    preds.every((p) => p(c));

/** The first button whose id starts with `prefix`. */
export function button(c: ApiCall, prefix: string): ButtonOf {
  const b = buttonsOf(c).find((x) => x.action_id.startsWith(prefix));
  assert.ok(b, `no ${prefix}… button in: ${buttonsOf(c).map((x) => x.action_id).join(', ')}`);
  return b;
}

/** Waits long enough for a diagnosis or a fix on the lab (seconds, not minutes). */
export const WAIT = { timeoutMs: 20_000 };
