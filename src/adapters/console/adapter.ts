// The console chat, like Hubot's shell adapter: type commands as you would after /rdp, press
// buttons with "/click N" or "N", act as someone else with "/as NAME". Cards print as text, threads
// as indented replies. When input is not a terminal it reads one line at a time and waits for the
// answer to settle before the next (scripts and tests); at the end of input it calls onEnd.
import { errorText } from '../../lib/error-text.ts';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ChatAdapter, InboundHandler, PostedMessage } from '../../chat/adapter.ts';
import type { Card, ChatUser, ConversationRef } from '../../chat/model.ts';
import { colorEnabled } from './render-color.ts';
import { isYes, renderConfirm } from './render-confirm.ts';
import { ConsoleScreen } from './outbound.ts';
import { consoleUser, readLine, toInbound } from './inbound.ts';

export interface ConsoleAdapterOptions {
  input?: Readable;
  output?: Writable;
  /** Who types first. Default "alice". */
  user?: string;
  /** Console groups per user name (policy identities console-group:NAME). */
  groupsOf?: (user: string) => string[];
  /** Resolves once the work a line started has settled (the bot's queues are idle). */
  whenSettled?: () => Promise<void>;
  /** Called once at the end of input or on /quit. */
  onEnd?: () => void;
  /** Print each input line (scripted input is otherwise invisible). Default: when input is not a TTY. */
  echo?: boolean;
}

export class ConsoleAdapter implements ChatAdapter {
  readonly platform = 'console' as const;
  private readonly screen: ConsoleScreen;
  private readonly input: Readable;
  private readonly output: Writable;
  private readonly color: boolean;
  private user: string;
  private rl: ReturnType<typeof createInterface> | null = null;
  private stopped = false;
  private pendingConfirm: ((answer: string) => void) | null = null;

  constructor(private readonly opts: ConsoleAdapterOptions = {}) {
    this.input = opts.input ?? process.stdin;
    this.output = opts.output ?? process.stdout;
    this.user = opts.user ?? 'alice';
    this.color = colorEnabled(this.output as Writable & { isTTY?: boolean }, process.env);
    this.screen = new ConsoleScreen((text) => this.print(text), this.color);
  }

  private print(text: string): void {
    if (!this.stopped) this.output.write(`${text}\n`);
  }

  private get interactive(): boolean {
    return (this.input as Readable & { isTTY?: boolean }).isTTY === true;
  }

  async start(onInbound: InboundHandler): Promise<void> {
    this.rl = createInterface({ input: this.input, ...(this.interactive ? { output: this.output, prompt: '' } : {}), terminal: this.interactive });
    void this.loop(onInbound);
  }

  private prompt(): void {
    if (this.interactive && !this.stopped) this.output.write(`${this.user}> `);
  }

  private async loop(onInbound: InboundHandler): Promise<void> {
    const rl = this.rl!;
    // Lines queue up while one is handled; a confirm question takes the next line directly.
    const queue: string[] = [];
    let wake: (() => void) | null = null;
    let ended = false;
    rl.on('line', (raw) => {
      if (this.pendingConfirm) {
        const answer = this.pendingConfirm;
        this.pendingConfirm = null;
        return answer(raw);
      }
      queue.push(raw);
      wake?.();
    });
    rl.on('close', () => {
      ended = true;
      this.pendingConfirm?.('n');
      wake?.();
    });
    this.prompt();
    for (;;) {
      if (!queue.length) {
        if (ended) break;
        await new Promise<void>((r) => (wake = r));
        wake = null;
        continue;
      }
      const line = queue.shift()!.trim();
      if (this.opts.echo ?? !this.interactive) this.print(`${this.user}> ${line}`);
      if (line === '/quit' || line === '/exit') break;
      try {
        await this.handleLine(line, onInbound);
      } catch (e) {
        this.print(`(error: ${errorText(e)})`);
      }
      this.prompt();
    }
    // End of input, not stop(): whoever started us decides what ending means.
    if (!this.stopped) this.opts.onEnd?.();
  }

  private async handleLine(raw: string, onInbound: InboundHandler): Promise<void> {
    const line = readLine(raw, this.screen);
    switch (line.kind) {
      case 'ignore':
        return;
      case 'notice':
        return this.print(line.text);
      case 'as':
        this.user = line.user;
        return this.print(`(you are now ${this.user})`);
      case 'press': {
        const confirm = renderConfirm(line.action);
        if (confirm && !(await this.ask(confirm))) return this.print('(cancelled; nothing was sent)');
        break;
      }
      case 'command':
        break;
    }
    await onInbound(toInbound(line, consoleUser(this.user, this.opts.groupsOf?.(this.user) ?? []), new Date().toISOString()));
    await this.opts.whenSettled?.();
  }

  private ask(question: string): Promise<boolean> {
    this.print(question);
    if (this.interactive) this.output.write('confirm? ');
    return new Promise((resolve) => {
      this.pendingConfirm = (answer) => {
        if (this.opts.echo ?? !this.interactive) this.print(`${this.user}> ${answer.trim()}`);
        resolve(isYes(answer));
      };
    });
  }

  postRoot(where: ConversationRef, card: Card): Promise<PostedMessage> {
    return this.screen.postRoot(where, card);
  }

  postReply(where: ConversationRef, card: Card): Promise<PostedMessage> {
    return this.screen.postReply(where, card);
  }

  updateMessage(where: ConversationRef, messageId: string, card: Card): Promise<void> {
    return this.screen.updateMessage(where, messageId, card);
  }

  postEphemeral(where: ConversationRef, user: ChatUser, card: Card): Promise<void> {
    return this.screen.postEphemeral(where, user, card);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.rl?.close();
  }
}
