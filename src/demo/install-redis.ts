// The demo needs a redis-server. If there is none, install the Debian package where we can (root on
// Debian/Ubuntu), else say exactly how; REDIS_URL skips all of this.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findRedisServer } from './local-redis.ts';

export class RedisMissingError extends Error {
  override readonly name = 'RedisMissingError';
}

function found(): boolean {
  try {
    findRedisServer();
    return true;
  } catch {
    return false;
  }
}

export function ensureRedisServer(say: (line: string) => void): void {
  if (found()) return;
  const debian = existsSync('/etc/debian_version') && existsSync('/usr/bin/apt-get');
  const root = process.getuid?.() === 0;
  if (!debian || !root) {
    const how = debian ? 'sudo apt-get install -y redis-server' : 'install Redis 6 or newer (e.g. `brew install redis`, `dnf install redis`)';
    throw new RedisMissingError(`redis-server is not installed. Install it (${how}) and run the demo again, or point it at a Redis you have: REDIS_URL=redis://HOST:6379 npm run demo`);
  }
  say('redis-server is not installed; installing the Debian package (apt-get install -y redis-server) ...');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', '--no-install-recommends', 'redis-server']]) {
    const r = spawnSync('/usr/bin/apt-get', args, { stdio: 'inherit', env, timeout: 600_000 });
    if (r.status !== 0) throw new RedisMissingError(`apt-get ${args.join(' ')} failed (exit ${r.status ?? r.signal}); install redis-server yourself or set REDIS_URL`);
  }
  if (!found()) throw new RedisMissingError('redis-server still not found after installing the package; set REDIS_URL to a Redis you have');
}
