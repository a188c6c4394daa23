// The bench's ack-timing helpers measure real acks from the adapter in both modes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { httpAckTimes, socketAckTimes } from '../../../bench/slack-lib/ack-timing.ts';
import { SIGNING_SECRET, startHarness } from './harness.ts';

test('ack timing helpers: 20 concurrent commands in each mode, all acked, every time measured', async () => {
  const http = await startHarness('http');
  try {
    const t = await httpAckTimes({ url: http.adapter.eventsUrl ?? '', signingSecret: SIGNING_SECRET, count: 20 });
    assert.equal(t.failures, 0);
    assert.equal(t.ms.length, 20);
    assert.ok(t.ms.every((x) => x > 0 && x < t.totalMs + 1));
    await http.inbound.next(() => http.inbound.events.length === 20);
  } finally {
    await http.close();
  }
  const socket = await startHarness('socket');
  try {
    const t = await socketAckTimes({ server: socket.fake.socket, count: 20 });
    assert.equal(t.failures, 0);
    assert.ok(t.ms.every((x) => x > 0));
    await socket.inbound.next(() => socket.inbound.events.length === 20);
  } finally {
    await socket.close();
  }
});
