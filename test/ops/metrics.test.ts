// The metrics registry: names, labels, the process default label, and the scrape-time job counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMetrics, type JobCounts } from '../../src/ops/metrics.ts';

/** The value of the sample `name` whose labels are exactly `labels` (order-free), or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (JSON.stringify(Object.entries(got).sort()) === JSON.stringify(Object.entries(labels).sort())) return Number(m[3]);
  }
  return undefined;
}

test('exposition has every metric after increments, prefixed and labelled with the process', async () => {
  const m = createMetrics('bot');
  m.commands.inc({ platform: 'slack', subcommand: 'check', outcome: 'accepted' });
  m.commands.inc({ platform: 'discord', subcommand: 'fix', outcome: 'rate-limited' }, 2);
  m.approvals.inc({ transition: 'approved' });
  m.deliveries.inc({ platform: 'slack', outcome: 'retried' });
  m.jobDuration.observe({ queue: 'diagnose', outcome: 'done' }, 0.42);
  const text = await m.registry.metrics();
  assert.equal(sample(text, 'rdp_medic_commands_total', { platform: 'slack', subcommand: 'check', outcome: 'accepted', process: 'bot' }), 1);
  assert.equal(sample(text, 'rdp_medic_commands_total', { platform: 'discord', subcommand: 'fix', outcome: 'rate-limited', process: 'bot' }), 2);
  assert.equal(sample(text, 'rdp_medic_approvals_total', { transition: 'approved', process: 'bot' }), 1);
  assert.equal(sample(text, 'rdp_medic_approvals_total', { transition: 'expired', process: 'bot' }), 0, 'transitions start at 0');
  assert.equal(sample(text, 'rdp_medic_deliveries_total', { platform: 'slack', outcome: 'retried', process: 'bot' }), 1);
  const bucket = (le: string): number | undefined => sample(text, 'rdp_medic_job_duration_seconds_bucket', { le, queue: 'diagnose', outcome: 'done', process: 'bot' });
  assert.equal(bucket('0.01'), 0);
  assert.equal(bucket('0.25'), 0);
  assert.equal(bucket('0.5'), 1);
  assert.equal(bucket('120'), 1);
  assert.equal(sample(text, 'rdp_medic_job_duration_seconds_sum', { queue: 'diagnose', outcome: 'done', process: 'bot' }), 0.42);
  assert.match(text, /^# TYPE rdp_medic_jobs gauge$/m);
  // Default process metrics, under our prefix.
  assert.equal(typeof sample(text, 'rdp_medic_process_cpu_user_seconds_total', { process: 'bot' }), 'number');
  assert.equal(typeof sample(text, 'rdp_medic_nodejs_eventloop_lag_seconds', { process: 'bot' }), 'number');
  for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) assert.ok(line.startsWith('rdp_medic_'), line);
});

test('the job-count collector runs on every scrape and its numbers replace the last ones', async () => {
  const m = createMetrics('worker');
  let calls = 0;
  let counts: JobCounts = { diagnose: { waiting: 3, active: 1, failed: 0 }, deliver: { waiting: 0, delayed: 2 } };
  m.setJobCountsCollector(async () => {
    calls++;
    return counts;
  });
  const first = await m.registry.metrics();
  assert.equal(calls, 1);
  assert.equal(sample(first, 'rdp_medic_jobs', { queue: 'diagnose', state: 'waiting', process: 'worker' }), 3);
  assert.equal(sample(first, 'rdp_medic_jobs', { queue: 'diagnose', state: 'failed', process: 'worker' }), 0);
  assert.equal(sample(first, 'rdp_medic_jobs', { queue: 'deliver', state: 'delayed', process: 'worker' }), 2);
  assert.equal(sample(first, 'rdp_medic_jobs', { queue: 'deliver', state: 'active', process: 'worker' }), undefined, 'states not reported are absent');

  counts = { diagnose: { waiting: 7 } };
  const second = await m.registry.metrics();
  assert.equal(calls, 2);
  assert.equal(sample(second, 'rdp_medic_jobs', { queue: 'diagnose', state: 'waiting', process: 'worker' }), 7);
  assert.doesNotMatch(second, /queue="deliver"/, 'a queue no longer reported is gone, not stale');
});

test('a failing or hanging collector empties the gauge and is counted; the scrape still answers', async () => {
  const m = createMetrics('worker', { collectTimeoutMs: 50 });
  m.setJobCountsCollector(async () => ({ fix: { active: 1 } }));
  assert.match(await m.registry.metrics(), /queue="fix"/);

  m.setJobCountsCollector(() => Promise.reject(new Error('redis down')));
  const failed = await m.registry.metrics();
  assert.doesNotMatch(failed, /queue="fix"/);
  assert.equal(sample(failed, 'rdp_medic_job_counts_errors_total', { process: 'worker' }), 1, 'counted in the same scrape');

  m.setJobCountsCollector(() => new Promise<never>(() => {})); // never settles
  const hung = await m.registry.metrics();
  assert.equal(sample(hung, 'rdp_medic_job_counts_errors_total', { process: 'worker' }), 2);
});

test('two registries in one process do not share series', async () => {
  const a = createMetrics('bot');
  const b = createMetrics('worker');
  a.commands.inc({ platform: 'console', subcommand: 'help', outcome: 'accepted' });
  assert.match(await a.registry.metrics(), /subcommand="help"/);
  assert.doesNotMatch(await b.registry.metrics(), /subcommand="help"/);
});
