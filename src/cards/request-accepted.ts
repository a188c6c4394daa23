// The immediate answer to a check command, posted before any work starts: the requester sees at
// once that the bot heard them (design: command to first reply, p99 under 50 ms).
import type { Card, ChatUser } from '../chat/model.ts';
import { mention, mentionTag, plural } from './text.ts';

/** A fleet check: what was typed ("group:lab") and the hosts it expanded to. */
export interface FleetTarget {
  selector: string;
  hosts: readonly string[];
}

export function requestAccepted(target: string | FleetTarget, requester: ChatUser): Card {
  const who = mention(requester);
  if (typeof target === 'string') {
    return {
      title: `Checking ${target} for ${who}…`,
      status: 'running',
      sections: [{ kind: 'text', text: 'Probing RDP from here and reading the host over WinRM; the verdict replaces this message.' }],
      actions: [],
      footer: `Asked by ${mentionTag(requester)}`,
    };
  }
  return {
    title: `Checking ${target.selector} (${plural(target.hosts.length, 'host')}) for ${who}…`,
    status: 'running',
    sections: [{ kind: 'text', text: 'One summary, updated here as hosts finish; per-host details on request.' }],
    actions: [],
    footer: `Asked by ${mentionTag(requester)}`,
  };
}
