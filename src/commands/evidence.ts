// rdp-medic evidence HOST: one diagnosis with everything it rests on (facts, probes, findings with
// their evidence and Microsoft references, timings, versions) as one JSON document, secrets
// scrubbed: on stdout, or in --out FILE (0600). Exit codes as `check`: the document is written in
// every case but a usage error, and the code says what it found.
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { evidenceJson } from '../rdp/evidence.ts';
import { packageVersion } from '../lib/version.ts';
import { openDoctor } from './lib/doctor.ts';
import { EXIT, err, out, readConfigOption, runCommand, UsageError } from './lib/cli-io.ts';

/** The --out file's folder must exist before anything is done (a typo must not cost a diagnosis). */
function checkOut(path: string): string {
  const file = resolve(path);
  const dir = dirname(file);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out ${path}: the folder ${dir} does not exist; nothing was done`);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`--out ${path} is a folder; give a file name; nothing was done`);
  return file;
}

export function register(program: Command): void {
  program
    .command('evidence')
    .description('Collect the evidence of an inventory host as JSON: facts, probes, findings, timings, versions (secrets scrubbed)')
    .argument('<host>', 'inventory host id')
    .option('--config <file>', 'configuration file (or RDP_MEDIC_CONFIG)')
    .option('--out <file>', 'write the JSON to this file (mode 0600) instead of stdout')
    .action((name: string, flags: { config?: string; out?: string }) =>
      runCommand(async () => {
        const config = readConfigOption(flags.config);
        const file = flags.out === undefined ? null : checkOut(flags.out);
        const doctor = await openDoctor(config, name);
        try {
          const x = await doctor.examine();
          const json = evidenceJson(x, { version: packageVersion() });
          if (file) {
            writeFileSync(file, `${json}\n`, { mode: 0o600 });
            err(`evidence of ${name} written to ${file} (${Buffer.byteLength(json, 'utf8')} bytes): ${x.diagnosis.verdict}`);
          } else out(json);
          const access = doctor.accessFailure();
          if (access) return access.kind === 'config' ? EXIT.usage : EXIT.failed;
          return x.diagnosis.verdict === 'problem' ? EXIT.problem : EXIT.ok;
        } finally {
          await doctor.close();
        }
      }),
    );
}
