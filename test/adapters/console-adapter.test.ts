// The console adapter's input: piped lines are read in order, a confirm question's answer included
// (nothing typed while a prompt is open is lost), and Ctrl-C in a terminal ends at once, even while
// the line before it is still being answered.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import { ConsoleAdapter } from '../../src/adapters/console/adapter.ts';
import type { Card, Inbound } from '../../src/chat/model.ts';

const where = { platform: 'console' as const, channel: 'console', rootMessageId: null, threadId: null, handle: null };
const undoCard: Card = {
  title: 'Fixed',
  status: 'ok',
  sections: [],
  actions: [{ id: 'undo:web-01:u-7k3m9qzx', label: 'Undo', style: 'danger', confirm: { title: 'Undo on web-01?', text: 'Puts the rules back.', confirm: 'Undo', deny: 'Cancel' } }],
} as Card;

const said = (events: Inbound[]): string[] => events.map((e) => (e.kind === 'command' ? e.text : `press ${e.actionId}`));

describe('console adapter input', () => {
  it('piped: the line after a confirm question answers it, and every later line still arrives', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    const events: Inbound[] = [];
    const ended = new Promise<void>((resolve) => {
      const chat = new ConsoleAdapter({ input, output, onEnd: resolve });
      void chat.postRoot(where, undoCard).then(() =>
        chat.start(async (e) => {
          events.push(e);
        }),
      );
    });
    // All at once, as `printf ... | rdp-medic demo` delivers it: the answer is queued before the question is asked.
    input.end('/click Undo\ny\nstatus web-01\n/click Undo\nn\nhosts\n');
    await ended;
    assert.deepEqual(said(events), ['press undo:web-01:u-7k3m9qzx', 'status web-01', 'hosts']);
    assert.match(shown, /Undo on web-01\?[\s\S]*alice> y\n[\s\S]*alice> status web-01[\s\S]*alice> n\n\(cancelled; nothing was sent\)\nalice> hosts/);
  });

  it('piped: a confirm question at the end of input is answered no', async () => {
    const input = new PassThrough();
    const events: Inbound[] = [];
    await new Promise<void>((resolve) => {
      const chat = new ConsoleAdapter({ input, output: new PassThrough(), onEnd: resolve });
      void chat.postRoot(where, undoCard).then(() => chat.start(async (e) => void events.push(e)));
      input.end('/click Undo\n');
    });
    assert.deepEqual(events, []);
  });

  it('terminal: Ctrl-C ends at once, while the line before it is still being answered', async () => {
    const input = Object.assign(new PassThrough(), { isTTY: true, setRawMode: () => input });
    const output = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
    output.resume();
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    let received!: () => void;
    const started = new Promise<void>((resolve) => (received = resolve));
    const ended = new Promise<void>((resolve) => {
      const chat = new ConsoleAdapter({ input, output, whenSettled: () => busy, onEnd: resolve });
      void chat.start(async () => received());
    });
    input.write('check work-pc\r');
    await started;
    input.write('\u0003');
    await ended; // without Ctrl-C ending at once, this waits for `busy`, which is released only below
    release();
  });
});
