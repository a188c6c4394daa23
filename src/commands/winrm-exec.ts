// rdp-medic winrm exec: a raw command on any WinRM endpoint (a real Windows host or the lab).
// Remote stdout/stderr go to ours and the remote exit code becomes ours; a WinRM failure prints
// what went wrong and where, and exits 255 (as ssh does for its own errors) so it is never
// mistaken for the remote command's exit code.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createLogger } from '../log.ts';
import { createWinrmClient, WinrmError } from '../winrm/index.ts';
import { err, runCommand, UsageError } from './lib/cli-io.ts';

export const EXIT_WINRM_FAILURE = 255;

interface ExecFlags {
  url: string;
  auth: string;
  username: string;
  passwordEnv: string;
  ca?: string;
  insecure?: boolean;
  timeout?: string;
  spn?: string;
}

const AUTH_METHODS = ['basic', 'ntlm', 'kerberos', 'negotiate'] as const;
const isAuthMethod = (s: string): s is (typeof AUTH_METHODS)[number] => (AUTH_METHODS as readonly string[]).includes(s);

export function register(program: Command): void {
  const winrm = program.command('winrm').description('Talk WS-Management to a Windows host');
  winrm
    .command('exec')
    .description('Run a command over WinRM; prints its output and exits with its exit code (255 on a WinRM failure)')
    .requiredOption('--url <url>', 'endpoint, e.g. https://host:5986/wsman')
    .requiredOption('--auth <method>', 'basic, ntlm, kerberos or negotiate (never guessed from the user name; kerberos/negotiate over https only)')
    .requiredOption('--username <user>', 'user, DOMAIN\\user or user@domain')
    .requiredOption('--password-env <VAR>', 'environment variable holding the password (never a flag: flags show in ps)')
    .option('--ca <file>', 'PEM CA bundle that signed the host certificate (HTTPS)')
    .option('--insecure', 'skip HTTPS certificate verification (warns)')
    .option('--timeout <ms>', 'deadline for the whole command', '120000')
    .option('--spn <principal>', 'Kerberos service principal (default HTTP/<host of --url>)')
    .argument('<command...>', 'the command line, after --')
    .action((command: string[], flags: ExecFlags) =>
      runCommand(async () => {
        const auth = flags.auth;
        if (!isAuthMethod(auth)) throw new UsageError(`--auth is basic, ntlm, kerberos or negotiate, not "${auth}"`);
        const password = process.env[flags.passwordEnv];
        if (!password) throw new UsageError(`environment variable ${flags.passwordEnv} (--password-env) is not set`);
        const commandMs = Number(flags.timeout);
        if (!Number.isInteger(commandMs) || commandMs <= 0) throw new UsageError(`--timeout takes milliseconds, not "${flags.timeout}"`);
        let ca: Buffer | undefined;
        if (flags.ca) {
          try {
            ca = readFileSync(flags.ca);
          } catch (e) {
            throw new UsageError(`cannot read --ca ${flags.ca}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
          }
        }
        const [cmd, ...args] = command;
        const client = createWinrmClient({
          url: flags.url,
          auth,
          ...(flags.spn ? { kerberos: { spn: flags.spn } } : {}),
          username: flags.username,
          password,
          ...(ca ? { ca } : {}),
          insecure: flags.insecure ?? false,
          timeouts: { commandMs },
          logger: createLogger({ name: 'winrm' }),
        });
        try {
          const result = await client.runOnce(cmd as string, args);
          process.stdout.write(result.stdoutBytes);
          process.stderr.write(result.stderrBytes);
          return result.exitCode;
        } catch (e) {
          if (!(e instanceof WinrmError)) throw e;
          err(e.message);
          return EXIT_WINRM_FAILURE;
        } finally {
          await client.close();
        }
      }),
    );
}
