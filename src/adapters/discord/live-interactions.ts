// Interactions we acknowledged, kept in process memory only (their tokens answer them): by
// interaction id, for at most the token's lifetime (15 minutes from creation; we keep a margin).
// Never persisted, never logged: the bot only ever sees the interaction id as `handle`.
import type { ButtonInteraction, ChatInputCommandInteraction } from 'discord.js';

export const TOKEN_LIFETIME_MS = 15 * 60_000;
/** Stop using a token a minute before Discord does, so a slow request does not race its expiry. */
export const DEFAULT_TTL_MS = TOKEN_LIFETIME_MS - 60_000;

export type LiveInteraction =
  /** `answered`: its original response now shows a card (not the deferral's "thinking…"). */
  | { kind: 'command'; interaction: ChatInputCommandInteraction; expiresAt: number; inThread: boolean; answered: boolean }
  | { kind: 'button'; interaction: ButtonInteraction; expiresAt: number; inThread: boolean };

export class LiveInteractions {
  private readonly byId = new Map<string, LiveInteraction>();
  /** Original-response message id -> interaction id, for editing through the webhook while it lives. */
  private readonly originals = new Map<string, string>();

  constructor(
    private readonly ttlMs = DEFAULT_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  add(entry: LiveInteraction extends infer E ? (E extends LiveInteraction ? Omit<E, 'expiresAt'> : never) : never): void {
    this.prune();
    // The token's clock starts when Discord created the interaction, not when we saw it.
    const created = Math.min(entry.interaction.createdTimestamp, this.now());
    this.byId.set(entry.interaction.id, { ...entry, expiresAt: created + Math.min(this.ttlMs, TOKEN_LIFETIME_MS) } as LiveInteraction);
  }

  get(id: string | null | undefined): LiveInteraction | undefined {
    if (!id) return undefined;
    const hit = this.byId.get(id);
    if (hit && hit.expiresAt <= this.now()) {
      this.byId.delete(id);
      return undefined;
    }
    return hit;
  }

  rememberOriginal(messageId: string, interactionId: string): void {
    this.originals.set(messageId, interactionId);
  }

  /** The live command interaction whose original response is this message, if any. */
  originalOf(messageId: string): LiveInteraction | undefined {
    const id = this.originals.get(messageId);
    const hit = this.get(id);
    if (!hit) this.originals.delete(messageId);
    return hit;
  }

  get size(): number {
    this.prune();
    return this.byId.size;
  }

  clear(): void {
    this.byId.clear();
    this.originals.clear();
  }

  /** Drops expired entries (called on every add: no timer keeps the process alive). */
  private prune(): void {
    const now = this.now();
    for (const [id, e] of this.byId) if (e.expiresAt <= now) this.byId.delete(id);
    for (const [m, id] of this.originals) if (!this.byId.has(id)) this.originals.delete(m);
  }
}
