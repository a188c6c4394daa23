// cmd.exe emulation for WinRS commands (WINRS_SKIP_CMD_SHELL=FALSE runs every line through cmd /c).
// Only what rdp-medic and the protocol tests need: a few built-ins and powershell.exe, whose
// -EncodedCommand script goes to the host model. Everything else is "not recognized", exit 1.

/** cmd.exe's maximum command-line length (characters). */
export const CMD_MAX_LINE = 8191;

export type CmdPlan =
  | { kind: 'result'; stdout: string; stderr: string; exitCode: number }
  | { kind: 'powershell'; script: string };

export interface CmdContext {
  computerName: string;
  username: string;
  /** WINRS_SKIP_CMD_SHELL=TRUE: run the program directly, without cmd.exe's limits. */
  skipCmdShell: boolean;
}

/** Joins rsp:Command and rsp:Arguments the way WinRS hands them to cmd.exe: separated by spaces. */
export function joinCommandLine(command: string, args: string[]): string {
  return [command, ...args].filter((s) => s !== '').join(' ');
}

export function planCommand(line: string, ctx: CmdContext): CmdPlan {
  if (!ctx.skipCmdShell && line.length > CMD_MAX_LINE) return fail('The command line is too long.\r\n');
  return interpret(line.trim(), ctx, 0);
}

const ok = (stdout: string, exitCode = 0): CmdPlan => ({ kind: 'result', stdout, stderr: '', exitCode });
const fail = (stderr: string, exitCode = 1): CmdPlan => ({ kind: 'result', stdout: '', stderr, exitCode });

function interpret(line: string, ctx: CmdContext, depth: number): CmdPlan {
  if (line === '') return ok('');
  const echo = /^echo(?=$|[\s.:(/\\,;=+[\]])/i.exec(line);
  if (echo) return runEcho(line.slice(4));
  const [first, rest] = firstToken(line);
  const program = baseName(first).toLowerCase().replace(/\.exe$/, '');
  switch (program) {
    case 'hostname':
      return ok(`${ctx.computerName}\r\n`);
    case 'whoami':
      return ok(`${ctx.computerName.toLowerCase()}\\${ctx.username.toLowerCase()}\r\n`);
    case 'exit': {
      const m = /^(?:\/b\s*)?(-?\d+)?/i.exec(rest.trim());
      return ok('', m?.[1] === undefined ? 0 : Number(m[1]));
    }
    case 'cmd': {
      // cmd [/s] [/q] [/d] [/u|/a] /c <line>: run the remainder.
      const m = /^((?:\/[sqdua]\s+)*)\/[ck]\s*(.*)$/is.exec(rest.trim());
      if (m && depth < 4) return interpret(unquoteWhole(m[2] ?? ''), ctx, depth + 1);
      return ok('');
    }
    case 'powershell':
      return planPowershell(rest);
    default:
      return fail(`'${first}' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n`);
  }
}

function runEcho(afterEcho: string): CmdPlan {
  // "echo" / "echo   " print the echo state; "echo." / "echo:" etc. print what follows the delimiter.
  if (afterEcho.trim() === '' && !/^[.:(/\\,;=+[\]]/.test(afterEcho)) return ok('ECHO is on.\r\n');
  return ok(`${afterEcho.slice(1)}\r\n`);
}

/** The first token (quotes removed) and the raw rest of the line. */
function firstToken(line: string): [string, string] {
  const m = /^"([^"]*)"?|^(\S+)/.exec(line);
  const token = m?.[1] ?? m?.[2] ?? '';
  return [token, line.slice(m?.[0].length ?? 0)];
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
}

function unquoteWhole(s: string): string {
  const t = s.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1) : t;
}

// powershell.exe switches that take a value, by full name (prefix matching as PowerShell does).
const VALUE_SWITCHES = ['executionpolicy', 'inputformat', 'outputformat', 'windowstyle', 'version', 'psconsolefile', 'configurationname'];
const FLAG_SWITCHES = ['noprofile', 'noninteractive', 'nologo', 'noexit', 'sta', 'mta'];

function planPowershell(args: string): CmdPlan {
  let rest = args.trim();
  while (rest !== '') {
    const [tok, after] = firstToken(rest);
    if (!/^[-/]/.test(tok)) break;
    const name = tok.slice(1).toLowerCase();
    if (name === 'e' || name === 'ec' || (name.length >= 2 && 'encodedcommand'.startsWith(name))) {
      const [b64] = firstToken(after.trim());
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return psError('Cannot process the command because the value specified with -EncodedCommand is not properly encoded. The value must be Base64 encoded.');
      return { kind: 'powershell', script: Buffer.from(b64, 'base64').toString('utf16le') };
    }
    if (name === 'c' || (name.length >= 2 && 'command'.startsWith(name))) {
      return { kind: 'powershell', script: unquoteWhole(after) };
    }
    if (name === 'ep' || name === 'ex' || name === 'if' || name === 'of' || VALUE_SWITCHES.some((s) => name.length >= 1 && s.startsWith(name))) {
      rest = firstToken(after.trim())[1].trim();
      continue;
    }
    if (name === 'nop' || FLAG_SWITCHES.some((s) => name.length >= 3 && s.startsWith(name))) {
      rest = after.trim();
      continue;
    }
    return psError(`The parameter '${tok}' is not recognized as a valid parameter for powershell.exe.`);
  }
  // Anything left is a script text, as powershell.exe treats positional arguments as -Command.
  if (rest !== '') return { kind: 'powershell', script: rest };
  return psError('An interactive powershell.exe session is not supported by this host.');
}

function psError(message: string): CmdPlan {
  return fail(`${message}\r\n`, 1);
}
