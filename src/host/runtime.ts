// The fixed PowerShell runtime, loaded from its .ps1 file so that it stays a reviewable script
// (and the tests can parse it). Its version is its first line; the lab recognises it by that.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export const RUNTIME_VERSION = '1.0.0';

/** Matches the runtime's first line and captures its version, e.g. "# rdp-medic-runtime 1.0.0". */
export const RUNTIME_HEADER_RE = /^# rdp-medic-runtime (\d+\.\d+\.\d+)\r?$/m;

function loadRuntime(): string {
  // A BOM would end up inside the script block text and break the header match on the host.
  const text = readFileSync(new URL('./runtime/runtime.ps1', import.meta.url), 'utf8').replace(/^\uFEFF/, '');
  const header = RUNTIME_HEADER_RE.exec(text.split('\n', 1)[0] ?? '');
  if (!header || header[1] !== RUNTIME_VERSION) {
    throw new Error(`runtime.ps1 must start with "# rdp-medic-runtime ${RUNTIME_VERSION}"`);
  }
  return text;
}

export const RUNTIME_TEXT: string = loadRuntime();

/** SHA-256 (hex) of the runtime's UTF-8 bytes: what an operator can compare with the file on a host. */
export const RUNTIME_SHA256: string = createHash('sha256').update(RUNTIME_TEXT, 'utf8').digest('hex');
