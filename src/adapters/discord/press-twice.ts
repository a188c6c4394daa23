// Discord buttons have no confirm dialog. A button whose action asks for one with pressTwice (a
// security-weakening approval) carries a marker in its custom_id, and acts only when the same person
// presses it again on the same message within the window: the first press is answered ephemerally
// with the warning and never reaches the bot. State lives in this process's memory, bounded: a
// restart or an evicted entry only means one more press.
import type { APIEmbed } from 'discord.js';
import { escapeText } from './render-text.ts';

const MARKER = '2x:';
export const PRESS_TWICE_WINDOW_MS = 15_000;
const MAX_PENDING = 500;

/** The custom_id of a button that needs a second press. */
export const pressTwiceId = (actionId: string): string => `${MARKER}${actionId}`;

/** The action id behind a custom_id, and whether that button needs a second press. */
export function readCustomId(customId: string): { actionId: string; pressTwice: boolean } {
  return customId.startsWith(MARKER) ? { actionId: customId.slice(MARKER.length), pressTwice: true } : { actionId: customId, pressTwice: false };
}

/** How a press-twice button's warning line starts on the card (render.ts writes it). */
export const pressTwiceWarningPrefix = (label: string): string => `⚠️ **${escapeText(label)}** (press twice): `;

export interface Press {
  messageId: string;
  customId: string;
  userId: string;
  /** The interaction's id: a gateway replay of the first press is not a second press. */
  interactionId: string;
}

export type PressVerdict = 'go' | 'ask' | 'replay';

export class SecondPress {
  private readonly pending = new Map<string, { at: number; interactionId: string }>();

  constructor(
    readonly windowMs: number,
    private readonly now: () => number,
    private readonly max = MAX_PENDING,
  ) {}

  /** go: this press confirms the same person's earlier one; ask: a first press (or the window passed); replay: the same delivery again. */
  press(p: Press): PressVerdict {
    const key = `${p.messageId}|${p.customId}|${p.userId}`;
    const t = this.now();
    const first = this.pending.get(key);
    if (first?.interactionId === p.interactionId) return 'replay';
    this.pending.delete(key);
    if (first && t - first.at <= this.windowMs) return 'go';
    if (this.pending.size >= this.max) this.pending.delete(this.pending.keys().next().value!);
    this.pending.set(key, { at: t, interactionId: p.interactionId });
    return 'ask';
  }

  clear(): void {
    this.pending.clear();
  }
}

/** The ephemeral answer to a first press: the warning the card shows for that button, or its label. */
export function askAgainText(label: string, embeds: readonly APIEmbed[], windowMs: number): string {
  const prefix = pressTwiceWarningPrefix(label);
  const lines = embeds.flatMap((e) => (e.description ?? '').split('\n'));
  const warning = lines.find((l) => l.startsWith(prefix))?.slice(prefix.length);
  return `Press again within ${Math.round(windowMs / 1000)} s to confirm: ${warning ?? `**${escapeText(label)}**.`}`;
}
