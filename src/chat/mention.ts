// How a chat user is named in a message: "@alice", from the display name with or without its "@"
// (or the user id when there is no name). Never used for authorization.
import type { ChatUser } from './model.ts';

export function mention(user: Pick<ChatUser, 'name' | 'id'>): string {
  const name = user.name.trim().replace(/^@/, '') || user.id;
  return `@${name}`;
}
