// Reads what one /rdp check cost on the fake Discord: every REST call of its conversation (its
// interaction's callback and webhook, the thread opened from its response, what went into that
// thread), when its verdict became visible, and how many calls came before. Pure measurement.
import type { FakeDiscord, RestCall, StoredInteraction } from '../../test/fakes/discord/index.ts';
import { IDS } from '../../test/fakes/discord/index.ts';

export interface ConversationCalls {
  interactionId: string;
  /** INTERACTION_CREATE sent -> the edit that made the verdict visible, ms (NaN: none). */
  verdictMs: number;
  /** Calls of this conversation up to and including that edit. */
  callsBeforeVerdict: number;
  callsTotal: number;
  /** Of those, answered 429. */
  rateLimited: number;
  /** performance.now() of the conversation's last call. */
  lastCallAt: number;
}

const titleOf = (c: RestCall): string => (((c.body as { embeds?: { title?: string }[] } | undefined)?.embeds ?? [])[0]?.title ?? '');

export function conversationCalls(fake: FakeDiscord, i: StoredInteraction): ConversationCalls {
  const root = i.originalId;
  const mine = fake.calls.filter(
    (c) =>
      c.path.startsWith(`/interactions/${i.id}/`) ||
      c.path.startsWith(`/webhooks/${IDS.application}/${i.token}`) ||
      (root !== undefined && (c.path === `/channels/${IDS.channel}/messages/${root}/threads` || c.path === `/channels/${IDS.channel}/messages/${root}` || c.path.startsWith(`/channels/${root}/`))),
  );
  // The verdict: the first edit of the root that went through and is not the "Checking…" card.
  const isRootEdit = (c: RestCall): boolean => c.method === 'PATCH' && (c.path.endsWith(`/${i.token}/messages/@original`) || c.path === `/channels/${IDS.channel}/messages/${root}`);
  const verdict = mine.find((c) => isRootEdit(c) && c.status === 200 && !/^Checking /.test(titleOf(c)));
  return {
    interactionId: i.id,
    verdictMs: verdict ? verdict.at - i.sentAt : Number.NaN,
    callsBeforeVerdict: verdict ? mine.filter((c) => c.n <= verdict.n).length : Number.NaN,
    callsTotal: mine.length,
    rateLimited: mine.filter((c) => c.status === 429).length,
    lastCallAt: Math.max(...mine.map((c) => c.at)),
  };
}
