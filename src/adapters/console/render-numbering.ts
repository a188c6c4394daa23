// Buttons in a terminal are numbers: "[3] Approve: …", pressed with "/click 3" or just "3". The
// console adapter keeps one ActionNumbering for its session so numbers are stable (a card updated in
// place keeps its numbers) and never reused (an old number cannot silently press a new button).

export interface NumberedAction {
  actionId: string;
  /** The console message the button was shown on ('' when the caller does not track messages). */
  messageId: string;
}

export class ActionNumbering {
  #next = 1;
  readonly #byKey = new Map<string, number>();
  readonly #byNumber = new Map<number, NumberedAction>();

  /** The number of this button on this message: the same pair always gets the same number. */
  number(actionId: string, messageId = ''): number {
    const key = `${messageId}\u0000${actionId}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    const n = this.#next++;
    this.#byKey.set(key, n);
    this.#byNumber.set(n, { actionId, messageId });
    return n;
  }

  /** What number `n` stands for, or undefined if it was never shown. */
  resolve(n: number): NumberedAction | undefined {
    return this.#byNumber.get(n);
  }
}

/** "/click 3", "click 3" or "3" -> 3; anything else -> null (it is a command, not a click). */
export function parseClick(line: string): number | null {
  const m = /^\s*(?:\/?click\s+)?(\d{1,6})\s*$/i.exec(line);
  return m?.[1] ? Number(m[1]) : null;
}
