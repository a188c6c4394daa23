// Checks on a command line before it is sent: it runs under cmd.exe (WINRS_SKIP_CMD_SHELL=FALSE),
// whose limit is 8191 characters, and it travels in XML, which cannot carry most control characters.
import { WinrmCommandTooLongError, WinrmConfigError } from './errors.ts';
import { escapeXml } from './xml.ts';

export const CMD_EXE_MAX_COMMAND_LINE = 8191;

/** The command line Windows will build: the command and its arguments joined by single spaces. */
export function commandLineLength(command: string, args: readonly string[]): number {
  return [command, ...args].join(' ').length;
}

export function assertCommandLineFits(host: string, command: string, args: readonly string[], what = 'the command line'): void {
  const length = commandLineLength(command, args);
  if (length > CMD_EXE_MAX_COMMAND_LINE) {
    throw new WinrmCommandTooLongError(
      `${what} for ${host} is ${length} characters, over cmd.exe's limit of ${CMD_EXE_MAX_COMMAND_LINE}. Send the payload on stdin (a short bootstrap that reads stdin) instead of on the command line.`,
      host, length, CMD_EXE_MAX_COMMAND_LINE,
    );
  }
}

export function assertSendable(host: string, command: string, args: readonly string[]): void {
  if (command.trim() === '') throw new WinrmConfigError(`WinRM command for ${host} is empty.`, host, 'config');
  for (const part of [command, ...args]) {
    try {
      escapeXml(part);
    } catch (error) {
      throw new WinrmConfigError(`WinRM command for ${host}: ${error instanceof Error ? error.message : String(error)}.`, host, 'config');
    }
  }
  assertCommandLineFits(host, command, args);
}
