// A user's Slack user groups, which slash commands and clicks do not carry: usergroups.list with
// include_users, cached for a minute (one call serves every user) and bounded by a timeout. On
// failure the user gets no groups: policy then grants only what their user id holds (fail closed).
import { z } from 'zod';
import type { AdapterLogger } from './logger.ts';

const UserGroupsResponse = z.object({
  usergroups: z.array(z.object({ id: z.string(), users: z.array(z.string()).optional() }).loose()).default([]),
});

/** The Web API call the resolver needs (a WebClient's usergroups.list). */
export type ListUserGroups = (args: { include_users: boolean }) => Promise<unknown>;

export interface UserGroupsOptions {
  cacheMs?: number;
  timeoutMs?: number;
  now?: () => number;
  logger: AdapterLogger;
}

export class UserGroupResolver {
  private cache: { at: number; byUser: Map<string, string[]> } | null = null;
  private inflight: Promise<Map<string, string[]> | null> | null = null;
  private readonly cacheMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(
    private readonly list: ListUserGroups,
    private readonly opts: UserGroupsOptions,
  ) {
    this.cacheMs = opts.cacheMs ?? 60_000;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.now = opts.now ?? Date.now;
  }

  /** The ids of the groups the user belongs to (e.g. ["S0ABC"]); [] if unknown. */
  async groupsOf(userId: string): Promise<string[]> {
    const map = await this.load();
    return map?.get(userId) ?? [];
  }

  private async load(): Promise<Map<string, string[]> | null> {
    if (this.cache && this.now() - this.cache.at < this.cacheMs) return this.cache.byUser;
    // One request at a time however many commands arrive together.
    this.inflight ??= this.fetch().finally(() => {
      this.inflight = null;
    });
    return this.inflight;
  }

  private async fetch(): Promise<Map<string, string[]> | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`usergroups.list timed out after ${this.timeoutMs} ms`)), this.timeoutMs);
    });
    try {
      const raw = await Promise.race([this.list({ include_users: true }), timeout]);
      const parsed = UserGroupsResponse.parse(raw);
      const byUser = new Map<string, string[]>();
      for (const g of parsed.usergroups) {
        for (const u of g.users ?? []) byUser.set(u, [...(byUser.get(u) ?? []), g.id]);
      }
      this.cache = { at: this.now(), byUser };
      return byUser;
    } catch (e) {
      // Not cached: the next command tries again.
      this.opts.logger.warn({ err: (e as Error).message }, 'slack: could not resolve user groups; treating the user as in no groups');
      return null;
    } finally {
      clearTimeout(timer);
    }
  }
}
