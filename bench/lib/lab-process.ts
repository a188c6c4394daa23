// A lab in its own process (so a bench measures only the client side's time and memory),
// started through the real CLI and read back from its --config-out file.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { loadConfig, type ResolvedHost } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { cpuProfileFlags } from './stats.ts';

export interface LabLine {
  name: string;
  scenario: string;
  winrm: { url: string; auth: 'basic' | 'ntlm'; username: string; password: string };
  rdp: { host: string; port: number };
}

export interface LabProcess {
  hosts: LabLine[];
  config: Config;
  configFile: string;
  stop(): Promise<void>;
}

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'rdp-medic.js');

export async function startLabProcess(args: string[]): Promise<LabProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'rdp-medic-bench-'));
  const configFile = join(dir, 'lab.yaml');
  const child: ChildProcess = spawn(process.execPath, [...cpuProfileFlags(), BIN, 'lab', ...args, '--config-out', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const hosts: LabLine[] = [];
  const expected = countHosts(args);
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`lab exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      hosts.push(JSON.parse(line) as LabLine);
      if (hosts.length === expected) resolve();
    });
  });
  child.removeAllListeners('exit');
  return {
    hosts,
    config: loadConfig(configFile),
    configFile,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function countHosts(args: string[]): number {
  const i = args.indexOf('--hosts');
  if (i >= 0) return Number(args[i + 1]);
  return args.filter((a) => a === '--scenario' || a === '--host').length || 1;
}

/**
 * The bench's lab host with Basic over http:// accepted: loopback only, and the lab's cheapest auth,
 * so the figures measure rdp-medic rather than NTLM (production refuses this without the opt-in).
 */
export function loopbackBasic(host: ResolvedHost): ResolvedHost {
  return { ...host, config: { ...host.config, winrm: { ...host.config.winrm, allowBasicOverHttp: true } } };
}
