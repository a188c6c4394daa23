// The console chat, like Hubot's shell adapter: type commands as you would after /rdp, press
// buttons with "/click N" or "N", act as someone else with "/as NAME". Cards print as text, threads
// as indented replies. When input is not a terminal it reads one line at a time and waits for the
// answer to settle before the next (scripts and tests); at the end of input it calls onEnd. Lines
// are taken in order, a confirm question's answer included (piped input never loses a line); Ctrl-C
// in the terminal calls onEnd at once, even while a line is being answered.
import { errorText } from '../../lib/error-text.ts';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { ChatAdapter, InboundHandler, PostedMessage } from '../../chat/adapter.ts';
import type { Card, ChatUser, ConversationRef } from '../../chat/model.ts';
import { colorEnabled } from './render-color.ts';
import { isYes, renderConfirm } from './render-confirm.ts';
import { ConsoleScreen } from './outbound.ts';
import { defaultFilesDir } from './files.ts';
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
  /** Called once: at the end of input, on /quit, or at once on Ctrl-C. */
  onEnd?: () => void;
  /** Print each input line (scripted input is otherwise invisible). Default: when input is not a TTY. */
  echo?: boolean;
  /** Where a card's file (a plan's PowerShell, an evidence export) is written. Default: defaultFilesDir(). */
  filesDir?: string;
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
  private ended = false;
  /** Lines typed or piped and not yet read, in order; a confirm question reads the next one like the loop does. */
  private readonly queue: string[] = [];
  private inputClosed = false;
  private wake: (() => void) | null = null;

  constructor(private readonly opts: ConsoleAdapterOptions = {}) {
    this.input = opts.input ?? process.stdin;
    this.output = opts.output ?? process.stdout;
    this.user = opts.user ?? 'alice';
    this.color = colorEnabled(this.output as Writable & { isTTY?: boolean }, process.env);
    this.screen = new ConsoleScreen((text) => this.print(text), this.color, opts.filesDir ?? defaultFilesDir());
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

  /** The next line in order, or null once the input has ended and every line was read. */
  private async nextLine(): Promise<string | null> {
    while (!this.queue.length) {
      if (this.inputClosed) return null;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = null;
    }
    return this.queue.shift()!;
  }

  /** End of input, /quit or Ctrl-C, not stop(): whoever started us decides what ending means. */
  private end(): void {
    if (this.ended || this.stopped) return;
    this.ended = true;
    this.opts.onEnd?.();
  }

  private async loop(onInbound: InboundHandler): Promise<void> {
    const rl = this.rl!;
    rl.on('line', (raw) => {
      this.queue.push(raw);
      this.wake?.();
    });
    rl.on('close', () => {
      this.inputClosed = true;
      this.wake?.();
    });
    // Ctrl-C in the terminal (raw mode: no signal reaches the process) ends at once, not after the current line.
    rl.on('SIGINT', () => this.end());
    this.prompt();
    for (;;) {
      const next = await this.nextLine();
      if (next === null || this.ended) break;
      const line = next.trim();
      if (this.opts.echo ?? !this.interactive) this.print(`${this.user}> ${line}`);
      if (line === '/quit' || line === '/exit') break;
      try {
        await this.handleLine(line, onInbound);
      } catch (e) {
        this.print(`(error: ${errorText(e)})`);
      }
      this.prompt();
    }
    this.end();
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

  /** The answer is the next line in order (no answer at the end of input: no). */
  private async ask(question: string): Promise<boolean> {
    this.print(question);
    if (this.interactive) this.output.write('confirm? ');
    const answer = (await this.nextLine()) ?? 'n';
    if (this.opts.echo ?? !this.interactive) this.print(`${this.user}> ${answer.trim()}`);
    return isYes(answer);
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
