// Run as a child process by shutdown.test.ts: starts the fake and the adapter in both modes, handles
// a command in each, stops them in the documented order (adapter, then fake), and then must exit by
// itself. If anything still holds the event loop, an unref'd timer reports what and exits with 3.
import { startHarness } from './harness.ts';
import { formBody, slashCommandPayload } from '../../fakes/slack/payloads.ts';
import { sendSigned } from '../../fakes/slack/signed.ts';
import { SIGNING_SECRET } from './harness.ts';

const GRACE_MS = Number(process.env.EXIT_GRACE_MS ?? 8_000);

async function main(): Promise<void> {
  const socket = await startHarness('socket');
  const { envelopeId } = socket.fake.socket.send('slash_commands', slashCommandPayload({ text: 'check work-pc' }));
  await socket.fake.socket.waitForAck(envelopeId);
  await socket.inbound.next();
  await socket.adapter.postRoot({ platform: 'slack', channel: 'C0CHAN', rootMessageId: null, threadId: null, handle: null }, { title: 't', status: 'ok', sections: [], actions: [] }, 'k');
  await socket.close();

  const http = await startHarness('http');
  const res = await sendSigned(http.adapter.eventsUrl ?? '', formBody(slashCommandPayload({ text: 'hosts' })), { secret: SIGNING_SECRET });
  if (res.status !== 200) throw new Error(`HTTP mode answered ${res.status}`);
  await http.inbound.next();
  await http.close();
  await http.adapter.stop(); // idempotent

  process.stdout.write('stopped\n');
  setTimeout(() => {
    process.stdout.write(`still running: ${JSON.stringify(process.getActiveResourcesInfo())}\n`);
    process.exit(3);
  }, GRACE_MS).unref();
}

main().catch((e: unknown) => {
  process.stdout.write(`failed: ${String(e)}\n`);
  process.exit(2);
});
