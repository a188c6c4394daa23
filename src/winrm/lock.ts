// A FIFO lock: one logical exchange at a time per host. NTLM handshakes span several HTTP requests
// on one socket and sealed messages must hit the wire in sequence order, so nothing may interleave.
// Waiters can give up through an AbortSignal; nothing holding the lock ever waits for another holder.
export class FifoLock {
  private tail: Promise<void> = Promise.resolve();

  async acquire(signal?: AbortSignal): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const previous = this.tail;
    this.tail = previous.then(() => held);
    if (signal === undefined) {
      await previous;
      return release;
    }
    signal.throwIfAborted();
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        // Give up our turn: whoever is behind us still waits for `previous`, then for `held`.
        void previous.then(release);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      void previous.then(() => {
        signal.removeEventListener('abort', onAbort);
        if (!signal.aborted) resolve();
      });
    });
    return release;
  }
}
