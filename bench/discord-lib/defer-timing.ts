// Measures how fast the adapter acknowledges slash commands: fires N concurrent INTERACTION_CREATEs
// at a running adapter through the fake Discord and returns, per interaction, the time from the
// fake sending it to the fake receiving its deferral callback. Pure measurement: no printing.
import type { FakeDiscord, RestCall } from '../../test/fakes/discord/index.ts';
import { slashInteraction } from '../../test/fakes/discord/index.ts';

export interface DeferTiming {
  interactionId: string;
  /** INTERACTION_CREATE sent -> callback received, in milliseconds. */
  ackMs: number;
  /** The callback type Discord got (5 = deferred channel message). */
  callbackType: number;
}

export async function measureDeferTimings(fake: FakeDiscord, n: number, opts: { timeoutMs?: number; host?: string } = {}): Promise<DeferTiming[]> {
  const sent = Array.from({ length: n }, () => fake.sendInteraction(slashInteraction({ subcommand: 'check', options: { host: opts.host ?? 'work-pc' } })));
  const isCallbackOf = (id: string) => (c: RestCall) => c.method === 'POST' && c.path.startsWith(`/interactions/${id}/`);
  await Promise.all(sent.map((s) => fake.waitForCall(isCallbackOf(s.id), { timeoutMs: opts.timeoutMs ?? 10_000 })));
  return sent.map((s) => {
    const stored = fake.world.interactions.get(s.id)!;
    return { interactionId: s.id, ackMs: fake.ackDelayMs(s.id) ?? Number.NaN, callbackType: stored.callback?.type ?? -1 };
  });
}
