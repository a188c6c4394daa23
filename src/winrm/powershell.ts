// PowerShell command lines. -EncodedCommand (base64 of UTF-16LE) avoids every cmd.exe quoting and
// code-page problem, but the line still goes through cmd.exe and its 8191-character limit: about
// 3050 script characters. Larger payloads go on stdin behind a short bootstrap (the host layer's job).
import { assertCommandLineFits } from './command-line.ts';

export const POWERSHELL = 'powershell.exe';
const POWERSHELL_FLAGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-EncodedCommand'] as const;

export function encodePowerShell(script: string): string {
  return Buffer.from(script, 'utf16le').toString('base64');
}

/** Arguments for powershell.exe running `script`; throws WinrmCommandTooLongError if the line would not fit. */
export function powerShellArgs(host: string, script: string): string[] {
  const args = [...POWERSHELL_FLAGS, encodePowerShell(script)];
  assertCommandLineFits(host, POWERSHELL, args, 'the encoded PowerShell command line');
  return args;
}
