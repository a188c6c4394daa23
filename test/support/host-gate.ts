// Holds the lab hosts' next PowerShell runs (their WinRM answers) until released, so a test can
// make something happen (a failover, a Redis crash) while a diagnosis or a fix is mid-flight, and
// wait on that moment as an event rather than a guess of the clock.
import type { SimulatedHost } from '../../src/lab/model/index.ts';

export class HostGate {
  private armed = false;
  private held: (() => void)[] = [];
  private onHold: (() => void)[] = [];

  constructor(hosts: SimulatedHost[]) {
    for (const host of hosts) {
      const original = host.powershell.bind(host);
      host.powershell = (script) => {
        const proc = original(script);
        if (!this.armed) return proc;
        return {
          readsStdin: proc.readsStdin,
          run: async (stdin, stream, signal) => {
            await new Promise<void>((resolve) => {
              this.held.push(resolve);
              for (const w of this.onHold.splice(0)) w();
            });
            return proc.run(stdin, stream, signal);
          },
        };
      };
    }
  }

  arm(): void {
    this.armed = true;
  }

  /** Resolves once `n` runs are held. */
  async holding(n: number): Promise<void> {
    while (this.held.length < n) await new Promise<void>((resolve) => this.onHold.push(resolve));
  }

  release(): void {
    this.armed = false;
    for (const r of this.held.splice(0)) r();
  }
}

