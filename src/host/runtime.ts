// The fixed PowerShell runtime sent to hosts, assembled from three reviewable files:
//   windows.ps1  the Windows primitives (the only code that calls Windows APIs),
//   revert.ps1   the revert task's logic (embedded; the engine writes it to disk with the registry primitives),
//   engine.ps1   plan parsing, dispatch, preconditions, undo records, errors, framing.
// The lab and the runtime tests swap the primitives for lab ones (assembleRuntime); the engine
// text that runs is byte for byte the one hosts get. The version is the first line.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const RUNTIME_VERSION = '2.0.0';

/** Matches the runtime's first line and captures its version, e.g. "# rdp-medic-runtime 2.0.0". */
export const RUNTIME_HEADER_RE = /^# rdp-medic-runtime (\d+\.\d+\.\d+)\r?$/m;

export const PRIMITIVES_BEGIN = '# region primitives';
export const PRIMITIVES_END = '# endregion primitives';

// A BOM would end up inside the script block text on the host.
const readPart = (name: string): string => readFileSync(new URL(`./runtime/${name}`, import.meta.url), 'utf8').replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');

export const WINDOWS_PRIMITIVES = readPart('windows.ps1');
export const REVERT_LOGIC = readPart('revert.ps1');
export const ENGINE = readPart('engine.ps1');

/** The runtime with these primitives (a `# region primitives` ... `# endregion primitives` block). */
export function assembleRuntime(primitives: string): string {
  if (!primitives.trimStart().startsWith(PRIMITIVES_BEGIN) || !primitives.trimEnd().endsWith(PRIMITIVES_END)) {
    throw new Error(`primitives must be one "${PRIMITIVES_BEGIN}" ... "${PRIMITIVES_END}" block`);
  }
  if (REVERT_LOGIC.includes("'@")) throw new Error("revert.ps1 must not contain '@ (it is embedded in a here-string)");
  return [
    `# rdp-medic-runtime ${RUNTIME_VERSION}`,
    '# The rdp-medic host runtime: Windows primitives, the revert logic, the engine (src/host/runtime/).',
    primitives.trimEnd(),
    "$RevertLogic = @'",
    REVERT_LOGIC.trimEnd(),
    "'@",
    ENGINE.trimEnd(),
    '',
  ].join('\n');
}

export const RUNTIME_TEXT: string = assembleRuntime(WINDOWS_PRIMITIVES);

/** SHA-256 (hex) of the runtime's UTF-8 bytes: what an operator can compare with the file on a host. */
export const RUNTIME_SHA256: string = createHash('sha256').update(RUNTIME_TEXT, 'utf8').digest('hex');
