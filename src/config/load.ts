// Reads and validates the configuration file (YAML or JSON) and resolves secrets on demand.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { Config, type Credential, type HostConfig, type HostId, type SecretRef } from './schema.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid configuration\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function formatIssues(issues: z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${i.path.length ? i.path.join('.') : '(top level)'}: ${i.message}`);
}

export function parseConfig(text: string, file = '<config>'): Config {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ConfigError(file, [`not valid YAML/JSON: ${(err as Error).message}`]);
  }
  const parsed = Config.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, formatIssues(parsed.error.issues));
  return parsed.data;
}

export function loadConfig(file: string): Config {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(file, [`cannot read the file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  return withPathsRelativeTo(parseConfig(text, file), dirname(resolve(file)));
}

/** CA bundles, TLS and secret files named in a config file are relative to that file, not to the cwd. */
function withPathsRelativeTo(config: Config, dir: string): Config {
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(dir, p));
  for (const host of Object.values(config.hosts)) if (host.winrm.ca) host.winrm.ca = abs(host.winrm.ca);
  for (const cred of Object.values(config.credentials)) if ('file' in cred.password) cred.password = { file: abs(cred.password.file) };
  const r = config.redis;
  for (const tls of [r.tls, typeof r.sentinelTls === 'object' ? r.sentinelTls : undefined]) {
    if (!tls) continue;
    for (const k of ['ca', 'cert', 'key'] as const) if (tls[k]) tls[k] = abs(tls[k]);
  }
  for (const k of ['password', 'sentinelPassword'] as const) {
    const ref = r[k];
    if (ref && 'file' in ref) r[k] = { file: abs(ref.file) };
  }
  return config;
}

export async function resolveSecret(ref: SecretRef): Promise<string> {
  if ('value' in ref) return ref.value;
  if ('env' in ref) {
    const v = process.env[ref.env];
    if (v === undefined || v === '') throw new Error(`environment variable ${ref.env} is not set`);
    return v;
  }
  try {
    return (await readFile(ref.file, 'utf8')).replace(/\r?\n$/, '');
  } catch (err) {
    throw new Error(`cannot read secret file ${ref.file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

export interface ResolvedHost {
  id: HostId;
  config: HostConfig;
  credential: Credential;
}

/** Levenshtein distance, for "did you mean" on unknown host names. */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

export function closestNames(name: string, candidates: string[], max = 3): string[] {
  const lower = name.toLowerCase();
  return candidates
    .map((c) => ({ c, d: c.toLowerCase().includes(lower) ? 0 : editDistance(lower, c.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(name.length / 2)))
    .sort((x, y) => x.d - y.d || x.c.localeCompare(y.c))
    .slice(0, max)
    .map((x) => x.c);
}

export class UnknownHostError extends Error {
  override readonly name = 'UnknownHostError';
  constructor(
    readonly host: string,
    readonly suggestions: string[],
  ) {
    super(
      `unknown host "${host}": it is not in the inventory` +
        (suggestions.length ? `; did you mean ${suggestions.map((s) => `"${s}"`).join(', ')}?` : ''),
    );
  }
}

/** The one host lookup: the inventory id `name` means (case-insensitive), or undefined. */
export function matchHostId(ids: readonly string[], name: string): string | undefined {
  return ids.find((id) => id.toLowerCase() === name.toLowerCase());
}

export function findHost(config: Config, name: string): ResolvedHost {
  const id = matchHostId(Object.keys(config.hosts), name);
  if (id === undefined) throw new UnknownHostError(name, closestNames(name, Object.keys(config.hosts)));
  const host = config.hosts[id]!;
  const credential = config.credentials[host.winrm.credential];
  if (!credential) throw new Error(`host ${id}: unknown credential ${host.winrm.credential}`);
  return { id: id as HostId, config: host, credential };
}
