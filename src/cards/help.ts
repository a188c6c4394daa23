// The help card: one line per subcommand, the same grammar on every platform.
import type { Card } from '../chat/model.ts';

export interface SubcommandHelp {
  /** "check HOST|group:NAME|tag:NAME" */
  usage: string;
  summary: string;
}

export function help(subcommands: readonly SubcommandHelp[], opts: { prefix?: string } = {}): Card {
  const prefix = opts.prefix ? `${opts.prefix} ` : '';
  return {
    title: 'rdp-medic: what I can do',
    status: 'info',
    sections: [
      { kind: 'fields', fields: subcommands.map((c) => ({ label: `${prefix}${c.usage}`, value: c.summary })) },
      { kind: 'text', text: 'Fixes run only after an authorized approver says yes, and every fix can be undone.' },
    ],
    actions: [],
  };
}
