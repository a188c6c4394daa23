// The dead-letter gauge: read at scrape time from the collector the bot registers; time-boxed; an
// unreadable list shows NaN (never 0, which would look healthy).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics } from '../../src/ops/metrics.ts';

const gauge = (text: string): string | undefined => /^rdp_medic_dead_letters\{process="bot"\} (\S+)$/m.exec(text)?.[1];

test('rdp_medic_dead_letters: the count at each scrape, NaN when it cannot be read or takes too long', async () => {
  const m = createMetrics('bot', { collectTimeoutMs: 100 });
  assert.equal(gauge(await m.registry.metrics()), '0', 'no collector (a worker): 0');
  let n = 3;
  m.setDeadLettersCollector(async () => n);
  assert.equal(gauge(await m.registry.metrics()), '3');
  n = 0;
  assert.equal(gauge(await m.registry.metrics()), '0', 're-read on each scrape');
  m.setDeadLettersCollector(() => Promise.reject(new Error('redis down')));
  assert.match(gauge(await m.registry.metrics()) ?? '', /^nan$/i, 'prom-client writes Nan; Prometheus parses it as NaN');
  m.setDeadLettersCollector(() => new Promise<number>(() => undefined));
  assert.match(gauge(await m.registry.metrics()) ?? '', /^nan$/i, 'a hung read is cut off');
  m.deliveries.inc({ platform: 'slack', outcome: 'waited' });
  assert.match(await m.registry.metrics(), /^rdp_medic_deliveries_total\{platform="slack",outcome="waited",process="bot"\} 1$/m);
});
