// Display names for users Slack names only by id (app_mention events): users.info, cached, bounded
// by a timeout. A name is for messages only and never authorizes, so failures fall back to the id.
import { z } from 'zod';

const UsersInfo = z.object({ user: z.object({ name: z.string().optional(), profile: z.object({ display_name: z.string().optional() }).loose().optional() }).loose() });

export type UsersInfoCall = (args: { user: string }) => Promise<unknown>;

export class UserNames {
  private readonly names = new Map<string, { name: string; at: number }>();

  constructor(
    private readonly info: UsersInfoCall,
    private readonly opts: { timeoutMs?: number; cacheMs?: number; now?: () => number } = {},
  ) {}

  async nameOf(userId: string): Promise<string> {
    const now = (this.opts.now ?? Date.now)();
    const hit = this.names.get(userId);
    if (hit && now - hit.at < (this.opts.cacheMs ?? 10 * 60_000)) return hit.name;
    let timer: NodeJS.Timeout | undefined;
    try {
      const raw = await Promise.race([
        this.info({ user: userId }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('users.info timed out')), this.opts.timeoutMs ?? 5_000);
        }),
      ]);
      const u = UsersInfo.parse(raw).user;
      const name = u.profile?.display_name || u.name || userId;
      if (this.names.size > 5_000) this.names.clear();
      this.names.set(userId, { name, at: now });
      return name;
    } catch {
      return userId;
    } finally {
      clearTimeout(timer);
    }
  }
}
