// Diagnoses kept for chat: each host's latest (for `status HOST`), and a fleet check's per-host
// results in the order hosts finished (for its summary and its details). Written by workers,
// read by the bot; plain JSON, no secrets (findings carry evidence, never credentials).
import { runLua, type LuaScript, type Redis } from './redis.ts';
import type { Diagnosis, Verdict } from '../rdp/types.ts';

const KEEP_MS = 7 * 24 * 3600_000;

export interface StoredDiagnosis {
  at: string;
  diagnosis: Diagnosis;
}

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
export interface FleetHostResult {
  host: string;
  verdict: Verdict;
  headline: string;
}

export class DiagnosisStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private lastKey = (host: string): string => `${this.prefix}:last:${host.toLowerCase()}`;
  private fleetKey = (id: string, part: string): string => `${this.prefix}:fleet:${id}:${part}`;

  async saveLast(host: string, diagnosis: Diagnosis, at = new Date()): Promise<void> {
    await this.redis.set(this.lastKey(host), JSON.stringify({ at: at.toISOString(), diagnosis } satisfies StoredDiagnosis), 'PX', KEEP_MS);
  }

  async last(host: string): Promise<StoredDiagnosis | null> {
    const raw = await this.redis.get(this.lastKey(host));
    return raw ? (JSON.parse(raw) as StoredDiagnosis) : null;
  }

  async startFleet(conversationId: string, total: number): Promise<void> {
    await this.redis.set(this.fleetKey(conversationId, 'total'), String(total), 'PX', KEEP_MS);
  }

  /** Records a host's result once (a retried job does not count twice); returns progress. */
  async recordFleetResult(conversationId: string, diagnosis: Diagnosis, hostId: string): Promise<{ done: number; total: number }> {
    const result: FleetHostResult = { host: hostId, verdict: diagnosis.verdict, headline: diagnosis.headline };
    if (diagnosis.verdict !== 'ok') {
      await this.redis.hset(this.fleetKey(conversationId, 'diag'), hostId, JSON.stringify(diagnosis));
      await this.redis.pexpire(this.fleetKey(conversationId, 'diag'), KEEP_MS);
    }
    const keys = ['hosts', 'results', 'total'].map((p) => this.fleetKey(conversationId, p));
    const [done, total] = (await runLua(this.redis, RECORD, keys, [hostId, JSON.stringify(result), KEEP_MS])) as [number, number];
    return { done, total };
  }

  async fleetResults(conversationId: string): Promise<FleetHostResult[]> {
    const raw = await this.redis.lrange(this.fleetKey(conversationId, 'results'), 0, -1);
    return raw.map((r) => JSON.parse(r) as FleetHostResult);
  }

  /** Diagnoses of the fleet's hosts that were not ok, worst first is the caller's business. */
  async fleetDetails(conversationId: string): Promise<Diagnosis[]> {
    const all = await this.redis.hvals(this.fleetKey(conversationId, 'diag'));
    return all.map((d) => JSON.parse(d) as Diagnosis);
  }

  /** True at most once per interval: whether a fleet summary update may go out now. */
  async summaryTick(conversationId: string, intervalMs: number): Promise<boolean> {
    return (await this.redis.set(this.fleetKey(conversationId, 'tick'), '1', 'PX', intervalMs, 'NX')) === 'OK';
  }
}
