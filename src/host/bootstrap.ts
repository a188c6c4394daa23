// The short bootstrap sent as powershell.exe -EncodedCommand. The runtime and the plan travel on
// stdin as base64 lines, so cmd.exe's 8191-character limit, quoting and console code pages cannot
// damage them; the result comes back as base64 of UTF-8 JSON between markers.
import { gzipSync } from 'node:zlib';
import type { Plan } from './operations.ts';
import { RUNTIME_TEXT } from './runtime.ts';

export const RESULT_BEGIN = '<<<RDPMEDIC-RESULT ';
export const RESULT_END = ' RDPMEDIC-RESULT>>>';

/** First line of the bootstrap: how the lab recognises it in a decoded -EncodedCommand. */
export const BOOTSTRAP_MARKER = '# rdp-medic-bootstrap 2';

// Windows PowerShell 5.1 only. Reads all of stdin (two base64 lines: gzipped runtime, plan), falling back
// to $input in case a host hands stdin to the pipeline instead; runs the runtime as a script block;
// the last object it returns is the result. Exit 2 and stderr on any failure of the bootstrap itself.
export const BOOTSTRAP_SCRIPT = [
  BOOTSTRAP_MARKER,
  "$ErrorActionPreference='Stop';$ProgressPreference='SilentlyContinue'",
  'try{',
  '$u=New-Object Text.UTF8Encoding $false',
  "$l=@([Console]::In.ReadToEnd() -split '\\s+'|Where-Object{$_})",
  "if($l.Count -lt 2){$l=@(($input|Out-String) -split '\\s+'|Where-Object{$_})}",
  "if($l.Count -lt 2){throw 'stdin must hold two base64 lines (runtime, plan)'}",
  '$z=New-Object IO.Compression.GZipStream((New-Object IO.MemoryStream(,[Convert]::FromBase64String($l[0]))),([IO.Compression.CompressionMode]::Decompress))',
  '$RdpMedicRuntime=(New-Object IO.StreamReader($z,$u)).ReadToEnd()',
  '$p=$u.GetString([Convert]::FromBase64String($l[1]))',
  '$r=@(& ([ScriptBlock]::Create($RdpMedicRuntime)) $p)[-1]',
  '$j=ConvertTo-Json -InputObject $r -Depth 10 -Compress',
  `[Console]::Out.Write('${RESULT_BEGIN}'+[Convert]::ToBase64String($u.GetBytes($j))+'${RESULT_END}')`,
  '[Console]::Out.Flush();exit 0',
  "}catch{[Console]::Error.WriteLine('rdp-medic bootstrap: '+$_);exit 2}",
].join('\n');

/** The command line a WinRM client runs for a script (UTF-16LE base64, as powershell.exe expects). */
export function powershellCommandLine(script: string): string {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  return `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encoded}`;
}

/** The runtime as it travels: gzip (a fifth of the size on the wire and in the far end's XML parser), base64. */
const RUNTIME_LINE = gzipLine(RUNTIME_TEXT);

function gzipLine(text: string): string {
  return gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64');
}

/** Stdin for the bootstrap: base64(gzip(UTF-8 runtime)) and base64(UTF-8 plan JSON), one line each. */
export function buildStdin(plan: Plan, runtimeText: string = RUNTIME_TEXT): Buffer {
  const runtime = runtimeText === RUNTIME_TEXT ? RUNTIME_LINE : gzipLine(runtimeText);
  const planJson = Buffer.from(JSON.stringify(plan), 'utf8').toString('base64');
  return Buffer.from(`${runtime}\r\n${planJson}\r\n`, 'ascii');
}
