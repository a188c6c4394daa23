// How a chat user is named in a message. `mention` is plain text ("@alice", from the display name
// with or without its "@", or the user id). `mentionTag` marks the person inside card text so each
// adapter can make it a real mention where its platform renders one (Slack <@U…> in mrkdwn, Discord
// <@id> in embed text) and "@alice" everywhere else (titles, buttons, the console, other platforms).
// Never used for authorization.
import type { Card, CardSection, ChatUser } from './model.ts';

export function mention(user: Pick<ChatUser, 'name' | 'id'>): string {
  const name = user.name.trim().replace(/^@/, '') || user.id;
  return `@${name}`;
}

// Private-use characters: they cannot come from a chat platform's ids, and user text is stripped of them.
const OPEN = '\uE000';
const SEP = '\uE001';
const CLOSE = '\uE002';
const TAG = /\uE000([a-z]+)\uE001([^\uE000-\uE002]*)\uE001([^\uE000-\uE002]*)\uE002/g;
const STRAY = /[\uE000-\uE002]/g;

/** The person as a mention tag inside card text; adapters turn it into their platform's mention. */
export function mentionTag(user: Pick<ChatUser, 'platform' | 'name' | 'id'>): string {
  const clean = (s: string): string => s.replace(STRAY, '');
  return `${OPEN}${user.platform}${SEP}${clean(user.id)}${SEP}${clean(mention(user))}${CLOSE}`;
}

/** Tags of `platform` users through `render` (given the user id); everyone else as "@name". */
export function expandMentions(text: string, platform: string, render: (id: string) => string): string {
  return text.replace(TAG, (_all, p: string, id: string, name: string) => (p === platform && id ? render(id) : name));
}

/** Every tag as "@name": for plain text (titles, buttons, notifications, the console). */
export function plainMentions(text: string): string {
  return text.replace(TAG, (_all, _p: string, _id: string, name: string) => name).replace(STRAY, '');
}

/**
 * A card whose mention tags are rendered: `real(id)` for users of `platform` in the text the platform
 * shows rich (section text, field values, the footer unless `plainFooter`), "@name" everywhere else
 * (titles, buttons, code). Without `real`, every tag is plain.
 */
export function renderCardMentions(card: Card, platform: string, real?: (id: string) => string, opts: { plainFooter?: boolean } = {}): Card {
  const rich = (text: string): string => (real ? expandMentions(text, platform, real) : plainMentions(text));
  const section = (s: CardSection): CardSection => {
    if (s.kind === 'text') return { kind: 'text', text: rich(s.text) };
    if (s.kind === 'code') return { kind: 'code', text: plainMentions(s.text) };
    return { kind: 'fields', fields: s.fields.map((f) => ({ label: plainMentions(f.label), value: rich(f.value) })) };
  };
  return {
    ...card,
    title: plainMentions(card.title),
    sections: card.sections.map(section),
    actions: card.actions.map((a) => ({
      ...a,
      label: plainMentions(a.label),
      ...(a.confirm ? { confirm: { ...a.confirm, title: plainMentions(a.confirm.title), text: plainMentions(a.confirm.text) } } : {}),
    })),
    ...(card.footer !== undefined ? { footer: opts.plainFooter ? plainMentions(card.footer) : rich(card.footer) } : {}),
    ...(card.notification !== undefined ? { notification: plainMentions(card.notification) } : {}),
  };
}
