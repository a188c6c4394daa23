// The PowerShell an operator could run by hand for a write plan: the runtime's own primitives
// (copied unchanged from windows.ps1, only those the plan needs) and each operation of the plan
// written out as the commands the engine would run for it, with its compare-and-set check first and
// a comment saying what it does. Generated from the Plan object the worker sends, so what a person
// reads is the plan that was approved. It keeps no undo record and no journal: it is for reading,
// for comparing, and for a host the bot cannot reach.
import { REVERT_LOGIC, WINDOWS_PRIMITIVES } from './runtime.ts';
import type { Operation, Plan } from './operations.ts';

/** A PowerShell single-quoted string: every quote PowerShell accepts as one (’ ‘ ‚ ‛ too) doubled. */
export function psString(s: string): string {
  return `'${s.replace(/['\u2018\u2019\u201A\u201B]/g, (q) => q + q)}'`;
}

/** A JSON-shaped value as a PowerShell literal. */
export function psValue(v: unknown): string {
  if (v === null || v === undefined) return '$null';
  if (typeof v === 'boolean') return v ? '$true' : '$false';
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`not a finite number: ${v}`);
    return String(v);
  }
  if (typeof v === 'string') return psString(v);
  if (Array.isArray(v)) return `@(${v.map(psValue).join(', ')})`;
  if (typeof v === 'object') return `@{ ${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${psString(k)} = ${psValue(x)}`).join('; ')} }`;
  throw new Error(`no PowerShell literal for ${typeof v}`);
}

/** A comment line: one line, no control characters (text from a host or a name cannot end the comment). */
export function psComment(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `# ${text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')}`.trimEnd();
}

/** The top-level functions of windows.ps1, by name, as written, in file order. */
function primitiveFunctions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const name = /^function ([A-Za-z]+-[A-Za-z]+)\b/.exec(lines[i]!)?.[1];
    if (!name) continue;
    const first = lines[i]!;
    const opens = (first.match(/\{/g) ?? []).length;
    const closes = (first.match(/\}/g) ?? []).length;
    let end = i;
    // A one-line function closes its braces on its line; a longer one ends at a "}" alone on a line.
    if (opens === 0 || opens !== closes) while (end < lines.length - 1 && lines[end] !== '}') end++;
    out.set(name, lines.slice(i, end + 1).join('\n'));
    i = end;
  }
  return out;
}

const PRIMITIVES = primitiveFunctions(WINDOWS_PRIMITIVES);

/** The functions the revert task's script carries (as the engine's Get-RevertScript). */
const REVERT_FUNCTIONS = ['ConvertTo-PlainData', 'Open-RegKey', 'Read-RegKey', 'Write-RegValue', 'Remove-RegValue', 'Read-RevertData', 'Write-RevertResult', 'Test-RevertTask', 'Unregister-RevertTask'];

/** Script-only helpers, by name: a check that stops the script, a registry value's state, ... */
const HELPERS: [name: string, text: string][] = [
  ['Assert-That', 'function Assert-That([bool]$Holds, [string]$Message) { if (-not $Holds) { throw $Message } }'],
  [
    'Get-RegValueState',
    `# A registry value's state as the plan records it: exists, kind, data.
function Get-RegValueState([string]$Path, [string]$Name) {
    $key = Read-RegKey $Path
    $v = $null; if ($null -ne $key) { $v = @(@($key.values) | Where-Object { $_.name -eq $Name })[0] }
    if ($null -eq $v) { return @{ exists = $false; kind = $null; data = $null } }
    return @{ exists = $true; kind = $v.kind; data = $v.data }
}`,
  ],
  ['Test-SameData', `# Equal as JSON (numbers, strings, lists), as the engine compares.
function Test-SameData($A, $B) { return ((ConvertTo-Json -InputObject $A -Compress -Depth 4) -eq (ConvertTo-Json -InputObject $B -Compress -Depth 4)) }`],
  [
    'Get-ServiceStartType',
    `# A service's start type in the plan's words (Win32_Service says Auto for Automatic).
function Get-ServiceStartType([string]$Name) {
    $s = @(Read-CimInstances 'root\\cimv2' 'Win32_Service' ("Name='" + $Name.Replace("'", "\\'") + "'") 15)
    Assert-That ($s.Count -eq 1) "service $Name does not exist"
    $mode = [string]$s[0]['StartMode']; if ($mode -eq 'Auto') { return 'Automatic' }; return $mode
}`,
  ],
  ['Test-GroupMember', 'function Test-GroupMember([string]$GroupSid, [string]$MemberSid) { return @((Read-LocalGroupMembers $GroupSid).members | Where-Object { $_.sid -eq $MemberSid }).Count -gt 0 }'],
];

/** Does `code` call the function `name`? */
const calls = (code: string, name: string): boolean => new RegExp(`(^|[^A-Za-z-])${name}([^A-Za-z-]|$)`, 'm').test(code);

/** The helpers `code` calls, and those they call, in HELPERS' order. */
function helpersFor(code: string): string[] {
  const used = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    const text = [code, ...HELPERS.filter(([n]) => used.has(n)).map(([, t]) => t)].join('\n');
    for (const [name] of HELPERS) {
      if (used.has(name) || !calls(text, name)) continue;
      used.add(name);
      grew = true;
    }
  }
  return HELPERS.filter(([n]) => used.has(n)).map(([, t]) => t);
}

const changed = (what: string): string => psString(`${what} changed since the diagnosis: stopped here, the steps after this one were not run`);

function memberSid(member: string): string {
  return /^S-1-\d+(-\d+)+$/.test(member) ? psString(member) : `(Resolve-AccountSid ${psString(member)})`;
}

/** The commands of one operation (after its comment). */
function opLines(op: Operation): string[] {
  switch (op.op) {
    case 'reg.set':
    case 'reg.delete': {
      const where = `${op.path}\\${op.name}`;
      const lines = [`$now = Get-RegValueState ${psString(op.path)} ${psString(op.name)}`];
      if (op.expect) {
        const holds = op.expect.exists ? `$now.exists -and $now.kind -eq ${psString(op.expect.kind ?? '')} -and (Test-SameData $now.data ${psValue(op.expect.data)})` : '-not $now.exists';
        lines.push(`Assert-That (${holds}) ${changed(`registry value ${where}`)}`);
      }
      lines.push(op.op === 'reg.set' ? `Write-RegValue ${psString(op.path)} ${psString(op.name)} ${psString(op.kind)} ${psValue(op.data)}` : `Remove-RegValue ${psString(op.path)} ${psString(op.name)}`);
      return lines;
    }
    case 'service.control': {
      const name = psString(op.name);
      const target = op.action === 'start' ? 'Running' : 'Stopped';
      return [
        ...(op.expectState ? [`Assert-That ((Get-ServiceStatus ${name}) -eq ${psString(op.expectState)}) ${changed(`service ${op.name}`)}`] : []),
        `if ((Get-ServiceStatus ${name}) -ne '${target}') { Send-ServiceControl ${name} '${op.action}' }`,
        `Assert-That ((Wait-ServiceState ${name} '${target}' ${op.timeoutSec}) -eq '${target}') ${psString(`service ${op.name} did not reach ${target} within ${op.timeoutSec} s`)}`,
      ];
    }
    case 'service.startType': {
      const name = psString(op.name);
      return [
        ...(op.expectStartType ? [`Assert-That ((Get-ServiceStartType ${name}) -eq ${psString(op.expectStartType)}) ${changed(`the start type of service ${op.name}`)}`] : []),
        `if ((Get-ServiceStartType ${name}) -ne ${psString(op.startType)}) {`,
        `    $rv = Set-ServiceStartMode ${name} ${psString(op.startType)} 15`,
        `    Assert-That ($rv -eq 0) "ChangeStartMode(${op.startType}) on ${op.name.replace(/[^A-Za-z0-9._-]/g, '')} returned $rv"`,
        '}',
      ];
    }
    case 'fw.enable':
      return [
        ...Object.entries(op.expect ?? {}).map(([rule, enabled]) => `Assert-That ((Read-FirewallRuleEnabled ${psString(rule)}) -eq ${psValue(enabled)}) ${changed(`firewall rule ${rule}`)}`),
        `Set-FirewallRulesEnabled ${psValue(op.names)} ${psValue(op.enabled)}`,
      ];
    case 'cert.remove':
      return [`Remove-StoreCertificate ${psString(op.store)} ${psString(op.thumbprint.replace(/[^0-9A-Fa-f]/g, '').toUpperCase())}`];
    case 'cert.move':
      return [`Move-StoreCertificate ${psString(op.fromStore)} ${psString(op.toStore)} ${psString(op.thumbprint.replace(/[^0-9A-Fa-f]/g, '').toUpperCase())}`];
    case 'group.add':
    case 'group.remove': {
      const group = psString(op.groupSid);
      return [
        `$sid = ${memberSid(op.member)}`,
        op.op === 'group.add'
          ? `if (-not (Test-GroupMember ${group} $sid)) { Add-LocalGroupMemberSid ${group} $sid }`
          : `if (Test-GroupMember ${group} $sid) { Remove-LocalGroupMemberSid ${group} $sid }`,
      ];
    }
    case 'cim.invoke': {
      const where = `${op.className}${op.filter ? ` where ${op.filter}` : ''}`;
      const args = [psString(op.namespace), psString(op.className), psString(op.filter ?? '')];
      return [
        `$found = @(Read-CimInstances ${args.join(' ')} 15)`,
        `Assert-That ($found.Count -eq 1) ${psString(`${where} must match exactly one instance`)}`,
        ...Object.entries(op.expect ?? {}).map(([k, v]) => `Assert-That (Test-SameData $found[0][${psString(k)}] ${psValue(v)}) ${changed(`${where} (${k})`)}`),
        `$rv = Invoke-CimMethodOn ${args.join(' ')} ${psString(op.method)} ${psValue(op.args)} 15`,
        `Assert-That ($null -eq $rv -or $rv -eq 0) ${psString(`${op.className}.${op.method} did not return 0`)}`,
      ];
    }
    case 'task.scheduleRevert': {
      const fns = REVERT_FUNCTIONS.map((f) => PRIMITIVES.get(f)).filter((f): f is string => f !== undefined);
      return [
        "$revertScript = @'",
        'param([string]$Name)',
        "$ErrorActionPreference = 'Stop'",
        ...fns,
        REVERT_LOGIC.trimEnd(),
        "'@",
        "$revertData = @'",
        JSON.stringify(op.restore),
        "'@",
        `Register-RevertTask ${psString(op.name)} ${op.afterMinutes} $revertScript $revertData`,
      ];
    }
    case 'task.cancel':
      return [`Unregister-RevertTask ${psString(op.name)}`];
    default:
      return [psComment(`(a read: ${op.op} changes nothing, and is not needed by hand)`)];
  }
}

/** Primitive names used by `code`, and the primitives they use in turn, in windows.ps1's order. */
function primitivesFor(code: string): string[] {
  const used = new Set<string>();
  const visit = (text: string): void => {
    for (const [name, body] of PRIMITIVES) {
      if (used.has(name) || !calls(text, name)) continue;
      used.add(name);
      visit(body);
    }
  };
  visit(code);
  return [...PRIMITIVES.keys()].filter((n) => used.has(n));
}

export interface ManualScriptOptions {
  /** Comment lines at the top: what, where, which plan (hash). */
  header: string[];
  /** One line saying what an operation does (the approval card's words); null: the op's name. */
  describe?: (op: Operation) => string | null;
}

/** The script, from the plan as it is sent (defaults applied). */
export function manualScript(plan: Plan, opts: ManualScriptOptions): string {
  const steps = plan.ops.flatMap((op, i) => ['', psComment(`Step ${i + 1} of ${plan.ops.length} (${op.id}): ${opts.describe?.(op) ?? op.op}`), ...opLines(op)]);
  // Only the functions a step calls outside the revert task's own script (that one carries its own).
  const outside = steps.join('\n').replace(/\$revertScript = @'[\s\S]*?\n'@/g, 'Register-RevertTask');
  const helpers = helpersFor(outside);
  const names = primitivesFor([...helpers, outside].join('\n'));
  return [
    ...opts.header.map(psComment),
    psComment('Run it on that host, in an elevated PowerShell (5.1 or 7). Each step first checks that the host still'),
    psComment('holds what the diagnosis saw and stops at the first that does not, as rdp-medic does. Unlike'),
    psComment('rdp-medic it keeps no undo record and no step journal.'),
    '#Requires -RunAsAdministrator',
    "$ErrorActionPreference = 'Stop'",
    '',
    psComment("rdp-medic's runtime primitives this plan uses, unchanged from src/host/runtime/windows.ps1:"),
    ...names.map((n) => PRIMITIVES.get(n)!),
    '',
    ...helpers,
    ...steps,
    '',
    `Write-Output ${psString(`All ${plan.ops.length} steps done.`)}`,
    '',
  ].join('\n');
}
