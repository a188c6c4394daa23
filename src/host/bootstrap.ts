// The short bootstrap sent as powershell.exe -EncodedCommand. The runtime and the plan travel on
// stdin (pipe mode), so cmd.exe's 8191-character limit, quoting and console code pages cannot
// damage them. Stdin starts with a header line carrying the payload's length and SHA-256: input cut
// short or corrupted on the way is a clear error, never a half-read plan. The engine streams one
// framed result per operation; failures of the bootstrap itself are framed too (FAILURE).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Plan } from './operations.ts';
import { RUNTIME_TEXT } from './runtime.ts';

/** First line of the bootstrap: how the lab recognises it in a decoded -EncodedCommand. */
export const BOOTSTRAP_MARKER = '# rdp-medic-bootstrap 3';
export const STDIN_HEADER = 'rdp-medic-stdin 3';

/** A frame: `<<<RDPMEDIC KIND base64(UTF-8 JSON) >>>`, one per line. */
export const FRAME_RE = /<<<RDPMEDIC ([A-Z]+) ([A-Za-z0-9+/=]*) >>>/g;

export function frame(kind: string, value: unknown): string {
  return `<<<RDPMEDIC ${kind} ${Buffer.from(JSON.stringify(value), 'utf8').toString('base64')} >>>\n`;
}

const b64 = (text: string): string => Buffer.from(JSON.stringify(text), 'utf8').toString('base64');

/** What the bootstrap says when the host runs PowerShell in Constrained Language Mode (it cannot run the runtime). */
export const CLM_MESSAGE =
  'PowerShell runs in Constrained Language Mode for this account (AppLocker or WDAC policy), so the rdp-medic runtime cannot run. ' +
  'Allow the runtime for the WinRM account (a WDAC/AppLocker rule for it) or use an account the policy exempts.';

// Windows PowerShell 5.1 syntax. Stdin is read one way only ([Console]::In; never $input, which
// would start PowerShell's own reader and split the data). Exit 3: Constrained Language Mode; exit 2:
// any other failure of the bootstrap or a refused plan; both also as a FAILURE frame on stdout.
export const BOOTSTRAP_SCRIPT = [
  BOOTSTRAP_MARKER,
  `if($ExecutionContext.SessionState.LanguageMode -ne 'FullLanguage'){Write-Output '<<<RDPMEDIC FAILURE ${b64(CLM_MESSAGE)} >>>';exit 3}`,
  "$ErrorActionPreference='Stop';$ProgressPreference='SilentlyContinue'",
  '$u=New-Object Text.UTF8Encoding $false',
  'try{',
  '$all=[Console]::In.ReadToEnd();$nl=$all.IndexOf("`n")',
  "if($nl -lt 0){throw 'stdin ended before its header line: the payload never arrived (was stdin sent in pipe mode?)'}",
  "$h=@($all.Substring(0,$nl).Trim() -split ' ')",
  `if(($h[0]+' '+$h[1]) -ne '${STDIN_HEADER}' -or $h.Count -ne 4){throw ('stdin does not start with the header ${STDIN_HEADER}: '+$h[0])}`,
  "$p=$all.Substring($nl+1) -replace '\\s',''",
  "if($p.Length -ne [int]$h[3]){throw ('stdin was cut short or padded: '+$p.Length+' of '+$h[3]+' characters arrived')}",
  "$sha=[BitConverter]::ToString([Security.Cryptography.SHA256]::Create().ComputeHash($u.GetBytes($p))).Replace('-','').ToLower()",
  "if($sha -ne $h[2]){throw 'stdin was corrupted on the way: its SHA-256 does not match the header'}",
  "$parts=$p.Split('.')",
  '$z=New-Object IO.Compression.GZipStream((New-Object IO.MemoryStream(,[Convert]::FromBase64String($parts[0]))),([IO.Compression.CompressionMode]::Decompress))',
  '$RdpMedicRuntime=(New-Object IO.StreamReader($z,$u)).ReadToEnd()',
  '$null=& ([ScriptBlock]::Create($RdpMedicRuntime)) $u.GetString([Convert]::FromBase64String($parts[1]))',
  '[Console]::Out.Flush();exit 0',
  "}catch{[Console]::Out.Write('<<<RDPMEDIC FAILURE '+[Convert]::ToBase64String($u.GetBytes((ConvertTo-Json -InputObject ('rdp-medic bootstrap: '+$_) -Compress)))+\" >>>`n\");[Console]::Error.WriteLine('rdp-medic bootstrap: '+$_);exit 2}",
].join('\n');

/** The command line a WinRM client runs for a script (UTF-16LE base64, as powershell.exe expects). */
export function powershellCommandLine(script: string): string {
  const encoded = Buffer.from(script, 'utf16le').toString('base64');
  return `powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ${encoded}`;
}

const gzipBase64 = (text: string): string => gzipSync(Buffer.from(text, 'utf8'), { level: 9 }).toString('base64');

/** The runtime as it travels: gzip (a fifth of the size on the wire and in the far end's XML parser), base64. */
const RUNTIME_B64 = gzipBase64(RUNTIME_TEXT);

/** The payload line: base64(gzip(runtime)) "." base64(plan JSON). */
export function buildPayload(plan: Plan, runtimeText: string = RUNTIME_TEXT): string {
  const runtime = runtimeText === RUNTIME_TEXT ? RUNTIME_B64 : gzipBase64(runtimeText);
  return `${runtime}.${Buffer.from(JSON.stringify(plan), 'utf8').toString('base64')}`;
}

/** Stdin for the bootstrap: the header (length, SHA-256 of the payload), then the payload. */
export function buildStdin(plan: Plan, runtimeText: string = RUNTIME_TEXT): Buffer {
  const payload = buildPayload(plan, runtimeText);
  const sha = createHash('sha256').update(payload, 'ascii').digest('hex');
  return Buffer.from(`${STDIN_HEADER} ${sha} ${payload.length}\n${payload}\n`, 'ascii');
}
