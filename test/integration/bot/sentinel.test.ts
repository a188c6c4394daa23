// Nothing lost, nothing doubled under Redis Sentinel (real redis-server primary, replica and
// sentinel; the lab; a worker; the bot), mid-fleet and mid-fix:
//  - a graceful switchover (SENTINEL FAILOVER): the old primary stays up and writable until the
//    sentinels demote it. The hosts' answers are held until the replica is promoted, so the
//    worker's writes land on the old primary in exactly that window;
//  - a SIGKILL of the primary: the replica takes over and is left without a replica of its own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Config } from '../../../src/config/schema.ts';
import { startBot, type RunningBot } from '../../../src/processes/bot.ts';
import { startWorkers, type RunningWorkers } from '../../../src/processes/worker.ts';
import { whenSettled } from '../../../src/state/settled.ts';
import { startLab, type Lab } from '../../../src/lab/lab.ts';
import { labConfig } from '../../../src/lab/lab-config.ts';
import { silentLogger } from '../../../src/log.ts';
import { ChatRecorder, person, type Recorded } from '../../fakes/chat-recorder.ts';
import { startSentinelGroup, type SentinelGroup } from '../../fakes/redis-sentinel.ts';
import { HostGate } from '../../support/host-gate.ts';

const alice = person('alice');
const bob = person('bob');

const text = (r: Recorded): string => [r.card.title, ...r.card.sections.map((s) => ('text' in s ? s.text : s.kind === 'fields' ? s.fields.map((f) => `${f.label}: ${f.value}`).join('\n') : ''))].join('\n');

interface SentinelStack {
  group: SentinelGroup;
  lab: Lab;
  bot: RunningBot;
  workers: RunningWorkers;
  recorder: ChatRecorder;
  gate: HostGate;
  settled(): Promise<void>;
}

async function withSentinelStack(hosts: { name: string; scenarios: string[] }[], body: (s: SentinelStack) => Promise<void>): Promise<void> {
  const group = await startSentinelGroup({ sentinels: 1 });
  const lab = await startLab({ hosts });
  let workers: RunningWorkers | null = null;
  let bot: RunningBot | null = null;
  try {
    const config = Config.parse({
      ...labConfig(lab),
      policy: { ...(labConfig(lab)['policy'] as object), rateLimit: { commandsPerMinute: 1000 } },
      redis: { sentinels: group.sentinels, name: group.name },
      workers: { lockDurationMs: 8_000, stalledIntervalMs: 2_000, diagnoseConcurrency: 20 },
      bot: { expirySweepMs: 500, summaryIntervalMs: 200 },
    });
    workers = await startWorkers(config, silentLogger);
    const recorder = new ChatRecorder();
    bot = await startBot(config, [recorder], silentLogger);
    const running = bot;
    await body({
      group,
      lab,
      bot,
      workers,
      recorder,
      gate: new HostGate(lab.hosts.map((h) => h.simulated)),
      settled: async () => {
        if (!(await whenSettled(running.queues, { timeoutMs: 120_000 }))) throw new Error('jobs still running after 120 s');
      },
    });
  } finally {
    await bot?.close();
    await workers?.close();
    await lab.close();
    await group.stop();
  }
}

const FLEET = ['a-pc', 'b-pc', 'c-pc', 'd-pc', 'e-pc', 'f-pc'].map((name) => ({ name, scenarios: ['cert-expired'] }));

/** `check group:lab` with every host's answer held until `failover` says go; then everything once. */
async function fleetThrough(failover: (s: SentinelStack, go: () => void) => Promise<unknown>): Promise<void> {
  await withSentinelStack(FLEET, async (s) => {
    s.gate.arm();
    await s.recorder.command('check group:lab', alice);
    await s.gate.holding(FLEET.length);
    await failover(s, () => s.gate.release());
    await s.settled();
    const roots = s.recorder.records.filter((r) => r.op === 'root');
    assert.equal(roots.length, 1, roots.map((r) => r.card.title).join('\n'));
    const finals = s.recorder.records.filter((r) => r.op === 'update' && /6 of 6 checked/.test(r.card.title));
    assert.equal(finals.length, 1, s.recorder.records.map((r) => `${r.op} ${r.card.title}`).join('\n'));
    const replies = s.recorder.records.filter((r) => r.op === 'reply').map((r) => r.key);
    assert.equal(new Set(replies).size, replies.length, `a reply was posted twice: ${replies.join(', ')}`);
    const conversation = roots[0]!.key!.replace(/\.root$/, '');
    const results = await s.bot.state.diagnoses.fleetResults(conversation);
    assert.deepEqual(results.map((r) => r.host).sort(), FLEET.map((h) => h.name), 'every host counted once');
  });
}

/** Approves the certificate fix with the host's answer held until `failover` says go; then exactly one result. */
async function fixThrough(failover: (s: SentinelStack, go: () => void) => Promise<unknown>): Promise<void> {
  await withSentinelStack([{ name: 'work-pc', scenarios: ['cert-expired'] }], async (s) => {
    await s.recorder.command('check work-pc', alice);
    await s.settled();
    const propose = s.recorder.action('propose:work-pc:');
    await s.recorder.click(propose.id, propose.messageId, alice);
    await s.settled();
    const approve = s.recorder.action('approve:');
    const approvalId = approve.id.slice('approve:'.length);
    s.gate.arm();
    await s.recorder.click(approve.id, approve.messageId, bob);
    await s.gate.holding(1);
    await failover(s, () => s.gate.release());
    await s.settled();
    const results = s.recorder.records.filter((r) => r.key?.endsWith(`.result.${approvalId}`));
    assert.equal(results.length, 1, s.recorder.records.map((r) => `${r.op} ${r.key ?? ''} ${r.card.title}`).join('\n'));
    assert.match(text(results[0]!), /applied on WORK-PC and verified/);
    const notApplied = s.recorder.records.filter((r) => /not applied|stopped after it began applying/i.test(text(r)));
    assert.deepEqual(notApplied.map(text), []);
    assert.equal((await s.bot.state.approvals.get(approvalId))?.state, 'done');
    const audited = (await s.bot.state.audit.historyOf('work-pc', 100)).filter((e) => e.kind === 'result' && (e.data as { approvalId?: string }).approvalId === approvalId);
    assert.equal(audited.length, 1);
    // Still working on the new primary: a new command is answered.
    await s.recorder.command('status work-pc', alice);
    await s.settled();
    assert.match(s.recorder.records.at(-1)!.card.title, /^work-pc: /);
  });
}

/** The switchover, releasing the held answers once the replica is promoted (the old primary still takes writes). */
const switchover = (s: SentinelStack, go: () => void): Promise<unknown> => s.group.switchover({ onPromoted: go });
/** SIGKILL of the primary while the answers are held; released once the sentinels switched. */
const killPrimary = async (s: SentinelStack, go: () => void): Promise<unknown> => {
  const now = await s.group.killPrimary();
  go();
  return now;
};

test('Sentinel switchover (SENTINEL FAILOVER) mid-fleet: every host counted once, every message once', () => fleetThrough(switchover));
test('Sentinel switchover mid-fix: one result, the approval done, applied once', () => fixThrough(switchover));
test('SIGKILL of the primary mid-fleet: every host counted once, every message once', () => fleetThrough(killPrimary));
test('SIGKILL of the primary mid-fix: one result, the approval done, applied once', () => fixThrough(killPrimary));
