// Diagnoses kept for chat: each host's latest (for `status HOST`), and a fleet check's per-host
// results in the order hosts finished (for its summary and its details). Written by workers,
// read by the bot; plain JSON, no secrets (findings carry evidence, never credentials).
import { z } from 'zod';
import type { WriteConfirmer } from './durable.ts';
import { RecordFormat } from './record.ts';
import { confirmerOf, type StoreOptions } from './store-options.ts';
import { runLua, type LuaScript, type Redis } from './redis.ts';
import type { Diagnosis, Verdict } from '../rdp/types.ts';

const KEEP_MS = 7 * 24 * 3600_000;

export const DIAGNOSIS_FORMAT = 1;

const VERDICTS = ['ok', 'problem', 'warning', 'unknown'] as const satisfies readonly Verdict[];

/**
 * What a stored diagnosis must have for chat to show it. Findings pass as they are: they were built
 * by this version's checks, and a record of another format is refused by its version first.
 */
const StoredDiagnosisShape = z.object({
  host: z.string(),
  verdict: z.enum(VERDICTS),
  headline: z.string(),
  findings: z.array(z.looseObject({ check: z.string(), title: z.string(), verdict: z.enum(VERDICTS) })),
  timingsMs: z.looseObject({}),
  winrmCommands: z.number(),
});
const DiagnosisRecord = z.custom<Diagnosis>((d) => StoredDiagnosisShape.safeParse(d).success, 'not a diagnosis');

const StoredDiagnosisRecord = z.object({ at: z.string().datetime(), diagnosis: DiagnosisRecord }).strict();
export type StoredDiagnosis = z.infer<typeof StoredDiagnosisRecord>;

const FleetHostResultRecord = z.object({ host: z.string(), verdict: z.enum(VERDICTS), headline: z.string() }).strict();

/** KEYS[1] hosts set, KEYS[2] results list, KEYS[3] total; ARGV host, result json, keep ms. Returns {done, total}. */
const RECORD: LuaScript = {
  name: 'rdpMedicFleetRecord',
  numberOfKeys: 3,
  lua: `
if redis.call('SADD', KEYS[1], ARGV[1]) == 1 then
  redis.call('RPUSH', KEYS[2], ARGV[2])
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
return {redis.call('LLEN', KEYS[2]), tonumber(redis.call('GET', KEYS[3]) or '0')}
`,
};

/** One host's line in a fleet summary. */
export type FleetHostResult = z.infer<typeof FleetHostResultRecord>;

export class DiagnosisStore {
  private readonly lastFormat: RecordFormat<typeof StoredDiagnosisRecord>;
  private readonly resultFormat: RecordFormat<typeof FleetHostResultRecord>;
  private readonly detailFormat: RecordFormat<typeof DiagnosisRecord>;
  private readonly confirm: WriteConfirmer;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: StoreOptions = {},
  ) {
    const { report } = opts;
    this.confirm = confirmerOf(opts);
    this.lastFormat = new RecordFormat('last diagnosis', DIAGNOSIS_FORMAT, StoredDiagnosisRecord, report);
    this.resultFormat = new RecordFormat('fleet result', DIAGNOSIS_FORMAT, FleetHostResultRecord, report);
    this.detailFormat = new RecordFormat('fleet detail', DIAGNOSIS_FORMAT, DiagnosisRecord, report);
  }

  private lastKey = (host: string): string => `${this.prefix}:last:${host.toLowerCase()}`;
  private fleetKey = (id: string, part: string): string => `${this.prefix}:fleet:${id}:${part}`;

  async saveLast(host: string, diagnosis: Diagnosis, at = new Date()): Promise<void> {
    const value = this.lastFormat.encode({ at: at.toISOString(), diagnosis });
    await this.confirm.durably(() => this.redis.set(this.lastKey(host), value, 'PX', KEEP_MS));
  }

  async last(host: string): Promise<StoredDiagnosis | null> {
    return this.lastFormat.decode(await this.redis.get(this.lastKey(host)), this.lastKey(host));
  }

  async startFleet(conversationId: string, total: number): Promise<void> {
    await this.confirm.durably(() => this.redis.set(this.fleetKey(conversationId, 'total'), String(total), 'PX', KEEP_MS));
  }

  /** Records a host's result once (a retried job does not count twice; confirmed: one lost in a failover would never count); returns progress. */
  async recordFleetResult(conversationId: string, diagnosis: Diagnosis, hostId: string): Promise<{ done: number; total: number }> {
    const result: FleetHostResult = { host: hostId, verdict: diagnosis.verdict, headline: diagnosis.headline };
    if (diagnosis.verdict !== 'ok') {
      const key = this.fleetKey(conversationId, 'diag');
      await this.redis.multi().hset(key, hostId, this.detailFormat.encode(diagnosis)).pexpire(key, KEEP_MS).exec();
    }
    const keys = ['hosts', 'results', 'total'].map((p) => this.fleetKey(conversationId, p));
    const encoded = this.resultFormat.encode(result);
    const [done, total] = (await this.confirm.durably(() => runLua(this.redis, RECORD, keys, [hostId, encoded, KEEP_MS]))) as [number, number];
    return { done, total };
  }

  async fleetResults(conversationId: string): Promise<FleetHostResult[]> {
    const key = this.fleetKey(conversationId, 'results');
    const raw = await this.redis.lrange(key, 0, -1);
    return raw.map((r) => this.resultFormat.decode(r, key)).filter((r): r is FleetHostResult => r !== null);
  }

  /** Diagnoses of the fleet's hosts that were not ok, worst first is the caller's business. */
  async fleetDetails(conversationId: string): Promise<Diagnosis[]> {
    const key = this.fleetKey(conversationId, 'diag');
    const all = await this.redis.hgetall(key);
    return Object.entries(all)
      .map(([host, d]) => this.detailFormat.decode(d, `${key} ${host}`))
      .filter((d): d is Diagnosis => d !== null);
  }

  /** True at most once per interval: whether a fleet summary update may go out now. */
  async summaryTick(conversationId: string, intervalMs: number): Promise<boolean> {
    return (await this.redis.set(this.fleetKey(conversationId, 'tick'), '1', 'PX', intervalMs, 'NX')) === 'OK';
  }
}
