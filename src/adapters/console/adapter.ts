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
import { parseClick } from './render-numbering.ts';

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

const CHANNEL = 'console';

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

  private chatUser(): ChatUser {
    return { platform: 'console', id: this.user, name: this.user, groups: this.opts.groupsOf?.(this.user) ?? [] };
  }

  private where(threadId: string | null = null): ConversationRef {
    return { platform: 'console', channel: CHANNEL, rootMessageId: threadId, threadId, handle: null };
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

  private async handleLine(line: string, onInbound: InboundHandler): Promise<void> {
    if (!line || line.startsWith('#')) return;
    const as = /^\/as\s+([A-Za-z0-9._-]{1,40})$/.exec(line);
    if (as) {
      this.user = as[1]!;
      this.print(`(you are now ${this.user})`);
      return;
    }
    if (line.startsWith('/as')) return this.print('usage: /as NAME (letters, digits, ".", "_", "-")');
    const n = parseClick(line) ?? this.clickByLabel(line);
    const receivedAt = new Date().toISOString();
    if (n !== null) {
      if (n < 0) return this.print(`(no button says "${line.replace(/^\/click\s+/i, '')}")`);
      const pressed = this.screen.button(n);
      if (!pressed) return this.print(`(there is no button [${n}]; buttons are the numbers in square brackets)`);
      if (pressed === 'gone') return this.print(`(button [${n}] is gone: its message was updated)`);
      const confirm = renderConfirm(pressed.action);
      if (confirm && !(await this.ask(confirm))) return this.print('(cancelled; nothing was sent)');
      await onInbound({ kind: 'action', actionId: pressed.actionId, user: this.chatUser(), where: this.where(pressed.messageId), messageId: pressed.messageId, receivedAt });
    } else {
      const text = line.replace(/^\/rdp\s+/i, '').replace(/^\//, '');
      await onInbound({ kind: 'command', text, user: this.chatUser(), where: this.where(), receivedAt });
    }
    await this.opts.whenSettled?.();
  }

  /** "/click Approve": the newest button whose label starts with the words (scripts need no numbers). -1: none. */
  private clickByLabel(line: string): number | null {
    const m = /^\/click\s+(.*\D.*)$/i.exec(line);
    return m ? this.screen.numberOfLabel(m[1]!) : null;
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
