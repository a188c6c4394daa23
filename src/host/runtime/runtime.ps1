# rdp-medic-runtime 1.0.0
# The one fixed host-side runtime of rdp-medic (Windows PowerShell 5.1 syntax only).
# Body of a script block: it executes a JSON plan of typed operations (src/host/operations.ts)
# and returns one result object; the caller serializes it. Logic lives in TypeScript: each
# operation only reads or changes one thing and reports it in a locale-free shape (registry,
# CIM, SIDs, firewall rule names, event provider+id, WTS numbers). Never parse console text.
param([string]$PlanJson)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
$WarningPreference = 'SilentlyContinue'
$VerbosePreference = 'SilentlyContinue'

# Windows PowerShell 5.1 serializes PSObject-wrapped arrays as {"value":[...],"Count":n};
# dropping the ETS type data of System.Array makes ConvertTo-Json write plain arrays.
try { Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue } catch { }

$RuntimeVersion = '1.0.0'
$KnownPlanVersions = @(1)
$RuntimeStarted = [DateTime]::UtcNow
$RuntimeClock = [System.Diagnostics.Stopwatch]::StartNew()

# The runtime's own text (task.scheduleRevert writes it to disk): the bootstrap sets
# $RdpMedicRuntime; a script block also knows its own text.
$RuntimeText = $null
$rtVar = Get-Variable -Name RdpMedicRuntime -ValueOnly -ErrorAction SilentlyContinue
if ($rtVar -is [string] -and $rtVar.StartsWith('# rdp-medic-runtime ')) { $RuntimeText = $rtVar }
if ($null -eq $RuntimeText) { try { $RuntimeText = $MyInvocation.MyCommand.ScriptBlock.ToString() } catch { } }

$WriteOps = @('reg.set', 'reg.delete', 'service.control', 'service.startType', 'fw.enable', 'cert.remove',
    'cert.move', 'group.add', 'group.remove', 'cim.invoke', 'task.scheduleRevert', 'task.cancel')

# ================= errors =================

# Operation failures carry a contract error code (and the current state for PreconditionFailed)
# in Exception.Data so that the dispatcher can report them exactly.
function Throw-OpError([string]$Code, [string]$Message, $Current) {
    $ex = New-Object System.Exception($Message)
    $ex.Data['RdpMedicCode'] = $Code
    if ($null -ne $Current) { $ex.Data['RdpMedicCurrent'] = $Current }
    throw $ex
}

function Get-ExceptionChain($Exception) {
    $chain = New-Object System.Collections.Generic.List[object]
    $e = $Exception
    while ($null -ne $e -and $chain.Count -lt 10) { $chain.Add($e); $e = $e.InnerException }
    return , $chain.ToArray()
}

function ConvertTo-OpError($ErrorRecord) {
    $chain = Get-ExceptionChain $ErrorRecord.Exception
    $message = [string]$ErrorRecord.Exception.Message
    foreach ($e in $chain) {
        if ($null -ne $e.Data -and $e.Data.Contains('RdpMedicCode')) {
            $err = [ordered]@{ code = [string]$e.Data['RdpMedicCode']; message = [string]$e.Message }
            if ($e.Data.Contains('RdpMedicCurrent')) { $err['current'] = $e.Data['RdpMedicCurrent'] }
            return $err
        }
    }
    $code = 'Failed'
    foreach ($e in $chain) {
        $t = $e.GetType().FullName
        if ($e -is [System.UnauthorizedAccessException] -or $e -is [System.Security.SecurityException] -or $e.HResult -eq -2147024891) { $code = 'AccessDenied'; break }
        if ($t -like '*TimeoutException') { $code = 'Timeout'; break }
        if ($e -is [System.Management.Automation.CommandNotFoundException]) { $code = 'NotSupported'; break }
        if ($e -is [System.Management.Automation.ItemNotFoundException] -or $e -is [System.Security.Principal.IdentityNotMappedException]) { $code = 'NotFound'; break }
        if ($t -eq 'Microsoft.Management.Infrastructure.CimException') {
            $native = [string]$e.NativeErrorCode
            if ($native -eq 'AccessDenied') { $code = 'AccessDenied' }
            elseif ($native -eq 'NotFound') { $code = 'NotFound' }
            elseif ($native -eq 'InvalidNamespace' -or $native -eq 'InvalidClass' -or $native -eq 'NotSupported') { $code = 'NotSupported' }
            elseif ($native -eq 'InvalidQuery' -or $native -eq 'InvalidParameter' -or $native -eq 'InvalidMethod') { $code = 'InvalidArgument' }
            break
        }
    }
    if ($code -eq 'Failed' -and $null -ne $ErrorRecord.CategoryInfo) {
        $cat = [string]$ErrorRecord.CategoryInfo.Category
        if ($cat -eq 'PermissionDenied' -or $cat -eq 'SecurityError') { $code = 'AccessDenied' }
        elseif ($cat -eq 'ObjectNotFound') { $code = 'NotFound' }
        elseif ($cat -eq 'InvalidArgument') { $code = 'InvalidArgument' }
        elseif ($cat -eq 'OperationTimeout') { $code = 'Timeout' }
    }
    if ($message.Length -gt 500) { $message = $message.Substring(0, 500) }
    return [ordered]@{ code = $code; message = $message }
}

# ================= small helpers =================

function ConvertTo-IsoUtc($Date) {
    if ($null -eq $Date) { return $null }
    return ([DateTime]$Date).ToUniversalTime().ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
}

function ConvertTo-Hex([byte[]]$Bytes) {
    if ($null -eq $Bytes) { return $null }
    return ([System.BitConverter]::ToString($Bytes)).Replace('-', '').ToLowerInvariant()
}

function ConvertFrom-Hex([string]$Hex) {
    $h = $Hex
    if ($null -eq $h) { $h = '' }
    if ($h -notmatch '^([0-9a-fA-F]{2})*$') { Throw-OpError 'InvalidArgument' 'Binary data must be hex (two digits a byte)' $null }
    $bytes = New-Object byte[] ($h.Length / 2)
    for ($i = 0; $i -lt $bytes.Length; $i++) { $bytes[$i] = [System.Convert]::ToByte($h.Substring($i * 2, 2), 16) }
    return , $bytes
}

function ConvertTo-StringOrNull($Value) {
    if ($null -eq $Value) { return $null }
    $s = [string]$Value
    if ($s.Length -eq 0) { return $null }
    return $s
}

function New-List { return , (New-Object System.Collections.Generic.List[object]) }

# WQL string literal: backslash and quote are escaped.
function ConvertTo-WqlString([string]$Value) {
    return "'" + $Value.Replace('\', '\\').Replace("'", "\'") + "'"
}

# Any CIM/.NET value as JSON-safe data: dates ISO UTC, enums as names, bytes as lower-case hex.
function ConvertTo-PlainData($Value, [int]$Depth) {
    if ($null -eq $Value) { return $null }
    if ($Depth -gt 5) { return [string]$Value }
    if ($Value -is [string] -or $Value -is [char]) { return [string]$Value }
    if ($Value -is [bool]) { return [bool]$Value }
    if ($Value -is [DateTime]) { return (ConvertTo-IsoUtc $Value) }
    if ($Value -is [TimeSpan]) { return $Value.ToString('c', [System.Globalization.CultureInfo]::InvariantCulture) }
    if ($Value -is [enum]) { return $Value.ToString() }
    if ($Value -is [byte[]]) { return (ConvertTo-Hex $Value) }
    if ($Value -is [int] -or $Value -is [long] -or $Value -is [uint32] -or $Value -is [uint64] -or $Value -is [int16] -or
        $Value -is [uint16] -or $Value -is [byte] -or $Value -is [sbyte] -or $Value -is [double] -or $Value -is [single] -or $Value -is [decimal]) {
        return $Value
    }
    if ($Value.PSObject.TypeNames -contains 'Microsoft.Management.Infrastructure.CimInstance') {
        $h = [ordered]@{}
        foreach ($p in $Value.CimInstanceProperties) { $h[[string]$p.Name] = ConvertTo-PlainData $p.Value ($Depth + 1) }
        return $h
    }
    if ($Value -is [System.Collections.IDictionary]) {
        $h = [ordered]@{}
        foreach ($k in $Value.Keys) { $h[[string]$k] = ConvertTo-PlainData $Value[$k] ($Depth + 1) }
        return $h
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        $list = New-List
        foreach ($item in $Value) { $list.Add((ConvertTo-PlainData $item ($Depth + 1))) }
        return , $list.ToArray()
    }
    return [string]$Value
}

# Plan values parsed by ConvertFrom-Json (PSCustomObject) as a hashtable.
function ConvertTo-Hashtable($Object) {
    $h = @{}
    if ($null -eq $Object) { return $h }
    foreach ($p in $Object.PSObject.Properties) { $h[[string]$p.Name] = $p.Value }
    return $h
}

# Does a plain value equal an expected JSON value? Numbers numerically, strings ordinally.
function Test-ValueEqual($Actual, $Expected) {
    if ($null -eq $Expected) { return ($null -eq $Actual) }
    if ($null -eq $Actual) { return $false }
    if ($Expected -is [bool] -or $Actual -is [bool]) {
        if (-not ($Expected -is [bool] -and $Actual -is [bool])) { return $false }
        return ($Expected -eq $Actual)
    }
    if ($Expected -is [string]) { return ($Actual -is [string] -and [string]::Equals($Actual, $Expected, [System.StringComparison]::Ordinal)) }
    if ($Expected -is [System.Collections.IList]) {
        if (-not ($Actual -is [System.Collections.IList])) { return $false }
        if ($Actual.Count -ne $Expected.Count) { return $false }
        for ($i = 0; $i -lt $Actual.Count; $i++) { if (-not (Test-ValueEqual $Actual[$i] $Expected[$i])) { return $false } }
        return $true
    }
    try { return ([decimal]$Actual -eq [decimal]$Expected) } catch { return $false }
}

# ================= registry =================

function Open-RegistryPath([string]$Path, [bool]$Writable, [bool]$Create) {
    $m = [regex]::Match($Path, '^(HKLM|HKEY_LOCAL_MACHINE|HKU|HKEY_USERS):?\\(.*)$', [System.Text.RegularExpressions.RegexOptions]::IgnoreCase)
    if (-not $m.Success) { Throw-OpError 'InvalidArgument' ('registry path must start with HKLM:\ or HKU:\ : ' + $Path) $null }
    $hive = 'LocalMachine'
    if ($m.Groups[1].Value -eq 'HKU' -or $m.Groups[1].Value -eq 'HKEY_USERS') { $hive = 'Users' }
    $sub = $m.Groups[2].Value.TrimEnd('\')
    # Always the 64-bit view: a 32-bit host process must not read the WOW6432Node copies.
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]$hive, [Microsoft.Win32.RegistryView]::Registry64)
    if ($sub.Length -eq 0) { return $base }
    if ($Create) { return $base.CreateSubKey($sub) }
    return $base.OpenSubKey($sub, $Writable)
}

# Kind and JSON data of a present value; unsupported kinds (REG_NONE, resource lists) read as Binary.
function Get-RegistryValueData($Key, [string]$Name) {
    $kind = $Key.GetValueKind($Name).ToString()
    $raw = $Key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
    $data = $null
    if ($kind -eq 'String' -or $kind -eq 'ExpandString') { $data = [string]$raw }
    elseif ($kind -eq 'DWord') {
        $n = [long][int]$raw
        if ($n -lt 0) { $n = $n + 4294967296 }
        $data = $n
    }
    elseif ($kind -eq 'QWord') {
        $q = [decimal][long]$raw
        if ($q -lt 0) { $q = $q + [decimal]::Parse('18446744073709551616', [System.Globalization.CultureInfo]::InvariantCulture) }
        $data = $q
    }
    elseif ($kind -eq 'MultiString') {
        $list = New-List
        foreach ($s in @($raw)) { $list.Add([string]$s) }
        $data = $list.ToArray()
    }
    else {
        $supported = ($kind -eq 'Binary')
        $kind = 'Binary'
        if ($raw -is [byte[]]) { $data = ConvertTo-Hex $raw } else { $data = '' }
        return [ordered]@{ kind = $kind; data = $data; supported = $supported }
    }
    return [ordered]@{ kind = $kind; data = $data; supported = $true }
}

function Get-RegistryValueState([string]$Path, [string]$Name) {
    $state = [ordered]@{ path = $Path; name = $Name; exists = $false; kind = $null; data = $null }
    $key = Open-RegistryPath $Path $false $false
    if ($null -eq $key) { return $state }
    try {
        if (-not (@($key.GetValueNames()) -contains $Name)) { return $state }
        $v = Get-RegistryValueData $key $Name
        $state['exists'] = $true
        $state['kind'] = $v['kind']
        $state['data'] = $v['data']
        $state['supported'] = $v['supported']
    }
    finally { $key.Close() }
    return $state
}

# The contract shape only (drops the internal 'supported' flag).
function Select-RegistryState($State) {
    return [ordered]@{ path = $State['path']; name = $State['name']; exists = $State['exists']; kind = $State['kind']; data = $State['data'] }
}

function Test-RegistryExpect($Expect, $State) {
    if ($null -eq $Expect) { return $true }
    if ([bool]$Expect.exists -ne [bool]$State['exists']) { return $false }
    if (-not $State['exists']) { return $true }
    if ([string]$Expect.kind -ne [string]$State['kind']) { return $false }
    if ($State['kind'] -eq 'Binary') { return ([string]$Expect.data).ToLowerInvariant() -eq [string]$State['data'] }
    $expData = $Expect.data
    if ($State['kind'] -eq 'MultiString') { $expData = @($Expect.data) }
    return (Test-ValueEqual $State['data'] $expData)
}

# JSON data to the .NET value SetValue needs for a kind (DWord/QWord stored as their signed bits).
function ConvertTo-RegistryObject([string]$Kind, $Data) {
    if ($Kind -eq 'String' -or $Kind -eq 'ExpandString') {
        if (-not ($Data -is [string])) { Throw-OpError 'InvalidArgument' "$Kind data must be a string" $null }
        return [string]$Data
    }
    $isNumber = ($Data -is [int] -or $Data -is [long] -or $Data -is [decimal] -or $Data -is [double])
    if (($Kind -eq 'DWord' -or $Kind -eq 'QWord') -and -not $isNumber) { Throw-OpError 'InvalidArgument' "$Kind data must be a number" $null }
    if ($Kind -eq 'DWord') {
        $n = [decimal]$Data
        if ($n -lt 0 -or $n -gt 4294967295 -or $n -ne [decimal]::Truncate($n)) { Throw-OpError 'InvalidArgument' 'DWord data must be an integer 0..4294967295' $null }
        if ($n -gt 2147483647) { $n = $n - 4294967296 }
        return [int]$n
    }
    if ($Kind -eq 'QWord') {
        $q = [decimal]$Data
        if ($q -lt 0 -or $q -ne [decimal]::Truncate($q)) { Throw-OpError 'InvalidArgument' 'QWord data must be a non-negative integer' $null }
        if ($q -gt [decimal][long]::MaxValue) { $q = $q - [decimal]::Parse('18446744073709551616', [System.Globalization.CultureInfo]::InvariantCulture) }
        return [long]$q
    }
    # The unary comma keeps byte[] from being unrolled into object[] on the way out.
    if ($Kind -eq 'Binary') { return , (ConvertFrom-Hex ([string]$Data)) }
    if ($Kind -eq 'MultiString') {
        $list = New-Object System.Collections.Generic.List[string]
        foreach ($s in @($Data)) {
            if (-not ($s -is [string])) { Throw-OpError 'InvalidArgument' 'MultiString data must be an array of strings' $null }
            $list.Add([string]$s)
        }
        return , $list.ToArray()
    }
    Throw-OpError 'InvalidArgument' ("unknown registry kind " + $Kind) $null
}

function Invoke-OpRegValue($Op) {
    $state = Get-RegistryValueState ([string]$Op.path) ([string]$Op.name)
    return @{ value = (Select-RegistryState $state) }
}

function Invoke-OpRegKey($Op) {
    $path = [string]$Op.path
    $result = [ordered]@{ path = $path; exists = $false; values = @(); subkeys = @() }
    $key = Open-RegistryPath $path $false $false
    if ($null -eq $key) { return @{ value = $result } }
    try {
        $values = New-List
        foreach ($name in @($key.GetValueNames())) {
            $v = Get-RegistryValueData $key $name
            $values.Add([ordered]@{ name = [string]$name; kind = $v['kind']; data = $v['data'] })
        }
        $subkeys = New-List
        foreach ($s in @($key.GetSubKeyNames())) { $subkeys.Add([string]$s) }
        $result['exists'] = $true
        $result['values'] = $values.ToArray()
        $result['subkeys'] = $subkeys.ToArray()
    }
    finally { $key.Close() }
    return @{ value = $result }
}

function Invoke-OpRegSet($Op) {
    $path = [string]$Op.path; $name = [string]$Op.name; $kind = [string]$Op.kind
    $newData = ConvertTo-RegistryObject $kind $Op.data
    $before = Get-RegistryValueState $path $name
    if (-not (Test-RegistryExpect $Op.expect $before)) {
        Throw-OpError 'PreconditionFailed' ("registry value $path\$name changed since the diagnosis") (Select-RegistryState $before)
    }
    if ($before['exists'] -and -not $before['supported']) {
        Throw-OpError 'NotSupported' ("registry value $path\$name has a kind the undo record cannot represent") (Select-RegistryState $before)
    }
    $key = Open-RegistryPath $path $true $true
    try { $key.SetValue($name, $newData, [Microsoft.Win32.RegistryValueKind]$kind) } finally { $key.Close() }
    $after = Get-RegistryValueState $path $name
    return @{ previous = (Select-RegistryState $before); value = (Select-RegistryState $after) }
}

function Invoke-OpRegDelete($Op) {
    $path = [string]$Op.path; $name = [string]$Op.name
    $before = Get-RegistryValueState $path $name
    if (-not (Test-RegistryExpect $Op.expect $before)) {
        Throw-OpError 'PreconditionFailed' ("registry value $path\$name changed since the diagnosis") (Select-RegistryState $before)
    }
    if ($before['exists']) {
        if (-not $before['supported']) {
            Throw-OpError 'NotSupported' ("registry value $path\$name has a kind the undo record cannot represent") (Select-RegistryState $before)
        }
        $key = Open-RegistryPath $path $true $false
        try { $key.DeleteValue($name, $false) } finally { $key.Close() }
    }
    $after = Get-RegistryValueState $path $name
    return @{ previous = (Select-RegistryState $before); value = (Select-RegistryState $after) }
}

# ================= services =================

function ConvertTo-StartType([string]$StartMode) {
    if ($StartMode -eq 'Auto') { return 'Automatic' }
    if (@('Boot', 'System', 'Manual', 'Disabled') -contains $StartMode) { return $StartMode }
    return $null
}

function ConvertTo-ServiceState([string]$State) {
    $s = $State.Replace(' ', '')
    if (@('Running', 'Stopped', 'StartPending', 'StopPending', 'Paused', 'PausePending', 'ContinuePending') -contains $s) { return $s }
    return 'Unknown'
}

function Get-Win32Service([string]$Name) {
    return Get-CimInstance -ClassName Win32_Service -Filter ('Name=' + (ConvertTo-WqlString $Name))
}

function Get-ServiceInfo([string]$Name) {
    $info = [ordered]@{ name = $Name; exists = $false; state = $null; startType = $null; delayedAutoStart = $null
        account = $null; processId = $null; serviceType = $null; dependsOn = @() }
    $svc = Get-Win32Service $Name
    if ($null -eq $svc) { return $info }
    $svc = @($svc)[0]
    $info['name'] = [string]$svc.Name
    $info['exists'] = $true
    $info['state'] = ConvertTo-ServiceState ([string]$svc.State)
    $info['startType'] = ConvertTo-StartType ([string]$svc.StartMode)
    $info['account'] = ConvertTo-StringOrNull $svc.StartName
    if ($svc.ProcessId -gt 0) { $info['processId'] = [int]$svc.ProcessId }
    $info['serviceType'] = ConvertTo-StringOrNull $svc.ServiceType
    # DelayedAutoStart is not a Win32_Service property before Windows 10 1803: read the registry.
    $regPath = 'HKLM:\SYSTEM\CurrentControlSet\Services\' + [string]$svc.Name
    $delayed = Get-RegistryValueState $regPath 'DelayedAutostart'
    $info['delayedAutoStart'] = ($info['startType'] -eq 'Automatic' -and $delayed['exists'] -and $delayed['data'] -eq 1)
    $deps = Get-RegistryValueState $regPath 'DependOnService'
    if ($deps['exists'] -and $deps['kind'] -eq 'MultiString') { $info['dependsOn'] = $deps['data'] }
    return $info
}

function Invoke-OpServiceGet($Op) {
    return @{ value = (Get-ServiceInfo ([string]$Op.name)) }
}

# Waits for a status until the deadline; Timeout error with the current state otherwise.
function Wait-ServiceStatus($Controller, [string]$Status, [DateTime]$Deadline) {
    $remaining = $Deadline - [DateTime]::UtcNow
    if ($remaining -lt [TimeSpan]::Zero) { $remaining = [TimeSpan]::Zero }
    try {
        $Controller.WaitForStatus([System.ServiceProcess.ServiceControllerStatus]$Status, $remaining)
    }
    catch {
        $Controller.Refresh()
        Throw-OpError 'Timeout' ("service " + $Controller.ServiceName + " did not reach " + $Status + " in time") ([ordered]@{ state = [string]$Controller.Status })
    }
}

function Invoke-OpServiceControl($Op) {
    $name = [string]$Op.name
    $action = [string]$Op.action
    $timeout = 60
    if ($null -ne $Op.timeoutSec) { $timeout = [int]$Op.timeoutSec }
    $deadline = [DateTime]::UtcNow.AddSeconds($timeout)
    if ($name -match '[\*\?\[\]]') { Throw-OpError 'InvalidArgument' ("service name must not contain wildcards: " + $name) $null }
    $sc = Get-Service -Name $name
    $before = [string]$sc.Status
    if ($null -ne $Op.expectState -and [string]$Op.expectState -ne $before) {
        Throw-OpError 'PreconditionFailed' ("service $name is $before, expected " + [string]$Op.expectState) ([ordered]@{ state = $before })
    }
    if ($action -eq 'start') {
        if ($sc.Status -eq 'StopPending') { Wait-ServiceStatus $sc 'Stopped' $deadline }
        if ($sc.Status -eq 'Stopped') { $sc.Start() }
        Wait-ServiceStatus $sc 'Running' $deadline
    }
    elseif ($action -eq 'stop') {
        if ($sc.Status -eq 'StartPending') { Wait-ServiceStatus $sc 'Running' $deadline }
        if ($sc.Status -ne 'Stopped' -and $sc.Status -ne 'StopPending') { $sc.Stop() }
        Wait-ServiceStatus $sc 'Stopped' $deadline
    }
    elseif ($action -eq 'restart') {
        # ServiceController.Stop() stops running dependents first (UmRdpService for TermService);
        # start them again afterwards, as Restart-Service would leave them stopped.
        $dependents = New-List
        foreach ($d in @($sc.DependentServices)) { if ($d.Status -eq 'Running') { $dependents.Add($d.ServiceName) } }
        if ($sc.Status -eq 'StartPending') { Wait-ServiceStatus $sc 'Running' $deadline }
        if ($sc.Status -ne 'Stopped' -and $sc.Status -ne 'StopPending') { $sc.Stop() }
        Wait-ServiceStatus $sc 'Stopped' $deadline
        $sc.Start()
        Wait-ServiceStatus $sc 'Running' $deadline
        foreach ($dn in $dependents) {
            $dc = Get-Service -Name $dn
            if ($dc.Status -eq 'Stopped') { $dc.Start() }
            Wait-ServiceStatus $dc 'Running' $deadline
        }
    }
    else { Throw-OpError 'InvalidArgument' ("unknown service action " + $action) $null }
    $sc.Refresh()
    return @{ previous = [ordered]@{ state = $before }; value = [ordered]@{ state = [string]$sc.Status } }
}

function Invoke-OpServiceStartType($Op) {
    $name = [string]$Op.name
    $target = [string]$Op.startType
    $svc = Get-Win32Service $name
    if ($null -eq $svc) { Throw-OpError 'NotFound' ("service $name does not exist") $null }
    $svc = @($svc)[0]
    $before = ConvertTo-StartType ([string]$svc.StartMode)
    if ($null -ne $Op.expectStartType -and [string]$Op.expectStartType -ne $before) {
        Throw-OpError 'PreconditionFailed' ("service $name start type is $before, expected " + [string]$Op.expectStartType) ([ordered]@{ startType = $before })
    }
    if ($before -ne $target) {
        $r = Invoke-CimMethod -InputObject $svc -MethodName ChangeStartMode -Arguments @{ StartMode = $target }
        $rv = [int]$r.ReturnValue
        if ($rv -eq 2) { Throw-OpError 'AccessDenied' ("ChangeStartMode($target) on $name was denied") $null }
        if ($rv -ne 0) { Throw-OpError 'Failed' ("ChangeStartMode($target) on $name returned $rv") $null }
    }
    $after = ConvertTo-StartType ([string](@(Get-Win32Service $name)[0]).StartMode)
    return @{ previous = [ordered]@{ startType = $before }; value = [ordered]@{ startType = $after } }
}

# ================= CIM =================

function Get-CimInstances($Op) {
    $params = @{ Namespace = [string]$Op.namespace; ClassName = [string]$Op.className }
    if ($null -ne $Op.filter -and [string]$Op.filter -ne '') { $params['Filter'] = [string]$Op.filter }
    return , @(Get-CimInstance @params)
}

function ConvertTo-CimRecord($Instance, $Properties) {
    $h = [ordered]@{}
    if ($null -ne $Properties) {
        foreach ($p in @($Properties)) {
            $prop = $Instance.CimInstanceProperties[[string]$p]
            if ($null -eq $prop) { $h[[string]$p] = $null } else { $h[[string]$p] = ConvertTo-PlainData $prop.Value 1 }
        }
    }
    else {
        foreach ($prop in $Instance.CimInstanceProperties) { $h[[string]$prop.Name] = ConvertTo-PlainData $prop.Value 1 }
    }
    return $h
}

function Invoke-OpCimQuery($Op) {
    $list = New-List
    foreach ($inst in (Get-CimInstances $Op)) { $list.Add((ConvertTo-CimRecord $inst $Op.properties)) }
    return @{ value = $list.ToArray() }
}

function Invoke-OpCimInvoke($Op) {
    $instances = Get-CimInstances $Op
    $where = [string]$Op.className
    if ($null -ne $Op.filter) { $where = $where + ' where ' + [string]$Op.filter }
    if ($instances.Count -eq 0) { Throw-OpError 'NotFound' ("no instance of $where") $null }
    if ($instances.Count -gt 1) { Throw-OpError 'InvalidArgument' ("$where matches " + $instances.Count + " instances; cim.invoke needs exactly one") $null }
    $inst = $instances[0]
    $expect = ConvertTo-Hashtable $Op.expect
    if ($expect.Count -gt 0) {
        $current = [ordered]@{}
        $same = $true
        foreach ($k in $expect.Keys) {
            $prop = $inst.CimInstanceProperties[$k]
            $actual = $null
            if ($null -ne $prop) { $actual = ConvertTo-PlainData $prop.Value 1 }
            $current[$k] = $actual
            if (-not (Test-ValueEqual $actual $expect[$k])) { $same = $false }
        }
        if (-not $same) { Throw-OpError 'PreconditionFailed' ("$where changed since the diagnosis") $current }
    }
    $captured = [ordered]@{}
    foreach ($k in @($Op.capture)) {
        if ($null -eq $k) { continue }
        $prop = $inst.CimInstanceProperties[[string]$k]
        if ($null -eq $prop) { $captured[[string]$k] = $null } else { $captured[[string]$k] = ConvertTo-PlainData $prop.Value 1 }
    }
    $arguments = ConvertTo-Hashtable $Op.args
    $r = Invoke-CimMethod -InputObject $inst -MethodName ([string]$Op.method) -Arguments $arguments
    $rv = $null
    if ($null -ne $r -and $null -ne $r.ReturnValue) { $rv = [long]$r.ReturnValue }
    if ($null -ne $rv -and $rv -ne 0) {
        Throw-OpError 'Failed' ("$where." + [string]$Op.method + " returned $rv") ([ordered]@{ returnValue = $rv; captured = $captured })
    }
    return @{ previous = $captured; value = [ordered]@{ returnValue = $rv } }
}

# ================= certificates =================

function Read-DerLength([byte[]]$Bytes, [ref]$Position) {
    $first = [int]$Bytes[$Position.Value]
    $Position.Value = $Position.Value + 1
    if ($first -lt 0x80) { return $first }
    $count = $first -band 0x7f
    $len = 0
    for ($k = 0; $k -lt $count; $k++) {
        $len = ($len * 256) + [int]$Bytes[$Position.Value]
        $Position.Value = $Position.Value + 1
    }
    return $len
}

# dNSName entries of the SubjectAltName extension, decoded from DER (the formatted text is localized).
function Get-SanDnsNames($Cert) {
    $names = New-List
    foreach ($ext in $Cert.Extensions) {
        if ($ext.Oid.Value -ne '2.5.29.17') { continue }
        try {
            $b = $ext.RawData
            $pos = 0
            if ($b[$pos] -ne 0x30) { continue }
            $pos++
            $len = Read-DerLength $b ([ref]$pos)
            $end = $pos + $len
            while ($pos -lt $end -and $pos -lt $b.Length) {
                $tag = $b[$pos]
                $pos++
                $l = Read-DerLength $b ([ref]$pos)
                if ($tag -eq 0x82) { $names.Add([System.Text.Encoding]::ASCII.GetString($b, $pos, $l)) }
                $pos = $pos + $l
            }
        }
        catch { }
    }
    if ($names.Count -eq 0) {
        # Like PowerShell's DnsNameList: the subject CN when there is no SAN.
        $cn = $Cert.GetNameInfo([System.Security.Cryptography.X509Certificates.X509NameType]::DnsName, $false)
        if ($cn) { $names.Add([string]$cn) }
    }
    return , $names.ToArray()
}

function Get-CertificateInfo($Cert, [string]$StoreName) {
    $eku = New-List
    foreach ($ext in $Cert.Extensions) {
        if ($ext -is [System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension]) {
            foreach ($oid in $ext.EnhancedKeyUsages) { $eku.Add([string]$oid.Value) }
        }
    }
    $algOid = [string]$Cert.PublicKey.Oid.Value
    $alg = $algOid
    if ($algOid -eq '1.2.840.113549.1.1.1') { $alg = 'RSA' }
    elseif ($algOid -eq '1.2.840.10045.2.1') { $alg = 'ECDSA' }
    elseif ($algOid -eq '1.2.840.10040.4.1') { $alg = 'DSA' }
    $keySize = $null
    try {
        if ($alg -eq 'ECDSA') {
            $pub = [System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPublicKey($Cert)
            if ($null -ne $pub) { $keySize = [int]$pub.KeySize; $pub.Dispose() }
        }
        else { $keySize = [int]$Cert.PublicKey.Key.KeySize }
    }
    catch { }
    $accessible = $null; $keyError = $null; $container = $null
    if ($Cert.HasPrivateKey) {
        # Actually open the private key: a listed key the runtime cannot open is the 0x904 cause.
        $key = $null
        try {
            # GetRSAPrivateKey (.NET 4.6+) opens CNG and CAPI keys; $cert.PrivateKey only CAPI ones.
            $rsaExt = 'System.Security.Cryptography.X509Certificates.RSACertificateExtensions' -as [type]
            $ecExt = 'System.Security.Cryptography.X509Certificates.ECDsaCertificateExtensions' -as [type]
            if ($alg -eq 'RSA' -and $null -ne $rsaExt) { $key = $rsaExt::GetRSAPrivateKey($Cert) }
            elseif ($alg -eq 'ECDSA' -and $null -ne $ecExt) { $key = $ecExt::GetECDsaPrivateKey($Cert) }
            if ($null -eq $key) { $key = $Cert.PrivateKey }
            if ($null -eq $key) { throw (New-Object System.Exception('the private key could not be opened')) }
            $accessible = $true
            $keyType = $key.GetType().Name
            if ($keyType -eq 'RSACng' -or $keyType -eq 'ECDsaCng') { $container = ConvertTo-StringOrNull $key.Key.UniqueName }
            elseif ($null -ne $key.CspKeyContainerInfo) { $container = ConvertTo-StringOrNull $key.CspKeyContainerInfo.UniqueKeyContainerName }
        }
        catch {
            $accessible = $false
            $e = $_.Exception
            while ($null -ne $e.InnerException -and ($e -is [System.Management.Automation.MethodInvocationException] -or $e -is [System.Management.Automation.RuntimeException])) { $e = $e.InnerException }
            $keyError = [string]$e.Message
            if ($e.HResult -ne 0) { $keyError = $keyError.Trim() + ' (0x' + $e.HResult.ToString('X8') + ')' }
        }
        finally { if ($key -is [System.IDisposable]) { try { $key.Dispose() } catch { } } }
    }
    return [ordered]@{
        store = $StoreName
        thumbprint = ([string]$Cert.Thumbprint).ToUpperInvariant()
        subject = [string]$Cert.Subject
        issuer = [string]$Cert.Issuer
        notBefore = ConvertTo-IsoUtc $Cert.NotBefore
        notAfter = ConvertTo-IsoUtc $Cert.NotAfter
        dnsNames = (Get-SanDnsNames $Cert)
        enhancedKeyUsages = $eku.ToArray()
        hasPrivateKey = [bool]$Cert.HasPrivateKey
        privateKeyAccessible = $accessible
        privateKeyError = $keyError
        keyAlgorithm = $alg
        keySize = $keySize
        keyContainer = $container
    }
}

function Open-CertStore([string]$Name, [bool]$Writable, [bool]$Create) {
    $store = New-Object System.Security.Cryptography.X509Certificates.X509Store($Name, [System.Security.Cryptography.X509Certificates.StoreLocation]::LocalMachine)
    $flags = [System.Security.Cryptography.X509Certificates.OpenFlags]::ReadOnly
    if ($Writable) { $flags = [System.Security.Cryptography.X509Certificates.OpenFlags]::ReadWrite }
    if (-not $Create) { $flags = $flags -bor [System.Security.Cryptography.X509Certificates.OpenFlags]::OpenExistingOnly }
    try { $store.Open($flags) }
    catch {
        $denied = $false
        foreach ($e in (Get-ExceptionChain $_.Exception)) { if ($e.HResult -eq -2147024891) { $denied = $true } }
        if (-not $Create -and -not $denied) { Throw-OpError 'NotFound' ("certificate store LocalMachine\$Name does not exist") $null }
        throw
    }
    return $store
}

function ConvertTo-Thumbprint([string]$Value) {
    # Thumbprints copied from the MMC carry invisible characters: keep hex digits only.
    return ([regex]::Replace($Value, '[^0-9A-Fa-f]', '')).ToUpperInvariant()
}

function Find-Certificate($Store, [string]$Thumbprint) {
    foreach ($c in $Store.Certificates) { if (([string]$c.Thumbprint).ToUpperInvariant() -eq $Thumbprint) { return $c } }
    return $null
}

function Invoke-OpCertList($Op) {
    $storeName = [string]$Op.store
    $store = Open-CertStore $storeName $false $false
    try {
        $list = New-List
        foreach ($c in $store.Certificates) { $list.Add((Get-CertificateInfo $c $storeName)) }
    }
    finally { $store.Close() }
    return @{ value = $list.ToArray() }
}

function Invoke-OpCertRemove($Op) {
    $storeName = [string]$Op.store
    $thumb = ConvertTo-Thumbprint ([string]$Op.thumbprint)
    $store = Open-CertStore $storeName $true $false
    try {
        $cert = Find-Certificate $store $thumb
        if ($null -eq $cert) { Throw-OpError 'NotFound' ("certificate $thumb is not in LocalMachine\$storeName") $null }
        $info = Get-CertificateInfo $cert $storeName
        # Removes the certificate only; its private key stays in MachineKeys.
        $store.Remove($cert)
    }
    finally { $store.Close() }
    return @{ previous = $info; value = $null }
}

function Invoke-OpCertMove($Op) {
    $from = [string]$Op.fromStore; $to = [string]$Op.toStore
    $thumb = ConvertTo-Thumbprint ([string]$Op.thumbprint)
    $src = Open-CertStore $from $true $false
    try {
        $cert = Find-Certificate $src $thumb
        if ($null -eq $cert) { Throw-OpError 'NotFound' ("certificate $thumb is not in LocalMachine\$from") $null }
        $info = Get-CertificateInfo $cert $from
        $dst = Open-CertStore $to $true $true
        try {
            # Adding the store's own context keeps its properties, including the key association.
            $dst.Add($cert)
            $copy = Find-Certificate $dst $thumb
            if ($null -eq $copy -or [bool]$copy.HasPrivateKey -ne [bool]$cert.HasPrivateKey) {
                if ($null -ne $copy) { $dst.Remove($copy) }
                Throw-OpError 'Failed' ("certificate $thumb lost its private key association when copied to LocalMachine\$to; nothing was moved") $null
            }
            $src.Remove($cert)
            $moved = Get-CertificateInfo $copy $to
        }
        finally { $dst.Close() }
    }
    finally { $src.Close() }
    return @{ previous = $info; value = $moved }
}

# ================= firewall =================

function Test-CommandAvailable([string]$Name) {
    return ($null -ne (Get-Command -Name $Name -ErrorAction SilentlyContinue))
}

function Assert-Command([string]$Name) {
    if (-not (Test-CommandAvailable $Name)) { Throw-OpError 'NotSupported' ("$Name is not available on this host") $null }
}

function ConvertTo-ProfileNames($ProfileFlags) {
    # NetSecurity Profile flags: Any=0, Domain=1, Private=2, Public=4 (numbers, not translated names).
    $n = [int]$ProfileFlags
    $names = New-List
    if ($n -band 1) { $names.Add('Domain') }
    if ($n -band 2) { $names.Add('Private') }
    if ($n -band 4) { $names.Add('Public') }
    if ($names.Count -eq 3) { $names = New-List }
    return , $names.ToArray()
}

function ConvertTo-StringArray($Values) {
    $list = New-List
    foreach ($v in @($Values)) { if ($null -ne $v) { $list.Add([string]$v) } }
    return , $list.ToArray()
}

function Get-FirewallRuleInfo($Rule, $PortFilter, $AddressFilter) {
    $source = [string]$Rule.PolicyStoreSourceType
    if (@('Local', 'GroupPolicy', 'Dynamic', 'Generated', 'Hardcoded') -notcontains $source) { $source = $null }
    $direction = 'Inbound'
    if ([string]$Rule.Direction -eq 'Outbound') { $direction = 'Outbound' }
    $action = 'Allow'
    if ([string]$Rule.Action -eq 'Block') { $action = 'Block' }
    $protocol = $null
    if ($null -ne $PortFilter) { $protocol = ConvertTo-StringOrNull $PortFilter.Protocol }
    $localPorts = @()
    if ($null -ne $PortFilter) { $localPorts = ConvertTo-StringArray $PortFilter.LocalPort }
    $remote = @()
    if ($null -ne $AddressFilter) { $remote = ConvertTo-StringArray $AddressFilter.RemoteAddress }
    return [ordered]@{
        name = [string]$Rule.Name
        group = ConvertTo-StringOrNull $Rule.Group
        enabled = ([string]$Rule.Enabled -eq 'True')
        direction = $direction
        action = $action
        profiles = (ConvertTo-ProfileNames $Rule.Profile)
        protocol = $protocol
        localPorts = $localPorts
        remoteAddresses = $remote
        policyStoreSourceType = $source
    }
}

function Invoke-OpFwRules($Op) {
    Assert-Command 'Get-NetFirewallRule'
    $rules = New-List
    $seen = @{}
    $selective = $false
    if ($null -ne $Op.group -and [string]$Op.group -ne '') {
        $selective = $true
        foreach ($r in @(Get-NetFirewallRule -PolicyStore ActiveStore -Group ([string]$Op.group) -ErrorAction SilentlyContinue)) {
            if (-not $seen.ContainsKey($r.Name)) { $seen[$r.Name] = $true; $rules.Add($r) }
        }
    }
    if ($null -ne $Op.names) {
        $selective = $true
        foreach ($n in @($Op.names)) {
            foreach ($r in @(Get-NetFirewallRule -PolicyStore ActiveStore -Name ([string]$n) -ErrorAction SilentlyContinue)) {
                if (-not $seen.ContainsKey($r.Name)) { $seen[$r.Name] = $true; $rules.Add($r) }
            }
        }
    }
    $list = New-List
    if ($selective) {
        foreach ($r in $rules) {
            $pf = $r | Get-NetFirewallPortFilter
            $af = $r | Get-NetFirewallAddressFilter
            $list.Add((Get-FirewallRuleInfo $r $pf $af))
        }
    }
    else {
        # Every rule: fetch the filters in bulk and join them by InstanceID (per-rule calls take minutes).
        $ports = @{}; $addresses = @{}
        foreach ($pf in @(Get-NetFirewallPortFilter -PolicyStore ActiveStore)) { $ports[[string]$pf.InstanceID] = $pf }
        foreach ($af in @(Get-NetFirewallAddressFilter -PolicyStore ActiveStore)) { $addresses[[string]$af.InstanceID] = $af }
        foreach ($r in @(Get-NetFirewallRule -PolicyStore ActiveStore)) {
            $id = [string]$r.InstanceID
            $list.Add((Get-FirewallRuleInfo $r $ports[$id] $addresses[$id]))
        }
    }
    return @{ value = $list.ToArray() }
}

function Invoke-OpFwProfiles($Op) {
    Assert-Command 'Get-NetFirewallProfile'
    $active = @{}
    if (Test-CommandAvailable 'Get-NetConnectionProfile') {
        foreach ($cp in @(Get-NetConnectionProfile -ErrorAction SilentlyContinue)) {
            $cat = [string]$cp.NetworkCategory
            if ($cat -eq 'DomainAuthenticated') { $active['Domain'] = $true }
            elseif ($cat -eq 'Private') { $active['Private'] = $true }
            elseif ($cat -eq 'Public') { $active['Public'] = $true }
        }
    }
    $list = New-List
    foreach ($p in @(Get-NetFirewallProfile -PolicyStore ActiveStore)) {
        $name = [string]$p.Name
        if (@('Domain', 'Private', 'Public') -notcontains $name) { continue }
        $inbound = [string]$p.DefaultInboundAction
        if (@('Allow', 'Block') -notcontains $inbound) { $inbound = 'NotConfigured' }
        $allowIn = [string]$p.AllowInboundRules
        if (@('True', 'False') -notcontains $allowIn) { $allowIn = 'NotConfigured' }
        $allowLocal = [string]$p.AllowLocalFirewallRules
        if (@('True', 'False') -notcontains $allowLocal) { $allowLocal = 'NotConfigured' }
        $list.Add([ordered]@{
                name = $name
                enabled = ([string]$p.Enabled -eq 'True')
                defaultInboundAction = $inbound
                allowInboundRules = $allowIn
                allowLocalFirewallRules = $allowLocal
                active = $active.ContainsKey($name)
            })
    }
    return @{ value = $list.ToArray() }
}

function Get-PersistentRuleStates($Names) {
    $states = [ordered]@{}
    foreach ($n in @($Names)) {
        $r = Get-NetFirewallRule -PolicyStore PersistentStore -Name ([string]$n) -ErrorAction SilentlyContinue
        if ($null -eq $r) { Throw-OpError 'NotFound' ("firewall rule $n is not in the local rule store") $null }
        $states[[string]$n] = ([string](@($r)[0]).Enabled -eq 'True')
    }
    return $states
}

function Invoke-OpFwEnable($Op) {
    Assert-Command 'Set-NetFirewallRule'
    $names = ConvertTo-StringArray $Op.names
    # The local (persistent) store is what Enable/Disable-NetFirewallRule change.
    $before = Get-PersistentRuleStates $names
    $expect = ConvertTo-Hashtable $Op.expect
    foreach ($k in $expect.Keys) {
        if (-not $before.Contains($k) -or [bool]$before[$k] -ne [bool]$expect[$k]) {
            Throw-OpError 'PreconditionFailed' 'firewall rules changed since the diagnosis' $before
        }
    }
    if ([bool]$Op.enabled) { Enable-NetFirewallRule -PolicyStore PersistentStore -Name $names }
    else { Disable-NetFirewallRule -PolicyStore PersistentStore -Name $names }
    $after = Get-PersistentRuleStates $names
    return @{ previous = $before; value = $after }
}

# ================= local groups =================

# The machine's account domain SID (local accounts are S-1-5-21-<machine>-<rid>).
function Get-LocalAccountDomainSid {
    try {
        $u = Get-CimInstance -ClassName Win32_UserAccount -Filter 'LocalAccount=True' | Select-Object -First 1
        if ($null -ne $u) { return (New-Object System.Security.Principal.SecurityIdentifier([string]$u.SID)).AccountDomainSid.Value }
    }
    catch { }
    return $null
}

function Get-PrincipalSourceFromSid([string]$Sid, [string]$MachineDomainSid) {
    if ($Sid.StartsWith('S-1-12-1-')) { return 'AzureAD' }
    if ($Sid.StartsWith('S-1-11-96-')) { return 'MicrosoftAccount' }
    if ($MachineDomainSid -and $Sid.StartsWith($MachineDomainSid + '-')) { return 'Local' }
    if ($Sid.StartsWith('S-1-5-21-')) { return 'ActiveDirectory' }
    if ($Sid.StartsWith('S-1-5-32-') -or $Sid -match '^S-1-5-\d+$' -or $Sid -match '^S-1-[0-3]-') { return 'Local' }
    return 'Unknown'
}

# The local group for a SID, through ADSI WinNT (works on 2012 R2, with orphaned and Azure AD members).
function Get-LocalGroupBySid([string]$GroupSid) {
    $sid = New-Object System.Security.Principal.SecurityIdentifier($GroupSid)
    $account = $sid.Translate([System.Security.Principal.NTAccount]).Value
    $name = $account.Split('\')[-1]
    $group = [ADSI]('WinNT://./' + $name + ',group')
    try { $group.psbase.RefreshCache() } catch { Throw-OpError 'NotFound' ("local group $GroupSid ($account) cannot be opened: " + $_.Exception.Message) $null }
    return $group
}

function Get-LocalGroupMemberList([string]$GroupSid) {
    $group = Get-LocalGroupBySid $GroupSid
    $sources = @{}
    if (Test-CommandAvailable 'Get-LocalGroupMember') {
        try { foreach ($m in @(Get-LocalGroupMember -SID $GroupSid -ErrorAction Stop)) { $sources[[string]$m.SID.Value] = [string]$m.PrincipalSource } }
        catch { }
    }
    $machineSid = $null
    $list = New-List
    foreach ($m in @($group.psbase.Invoke('Members'))) {
        $t = $m.GetType()
        $bytes = $t.InvokeMember('objectSid', 'GetProperty', $null, $m, $null)
        $sid = (New-Object System.Security.Principal.SecurityIdentifier([byte[]]$bytes, 0)).Value
        $class = [string]$t.InvokeMember('Class', 'GetProperty', $null, $m, $null)
        $objectClass = 'Unknown'
        if ($class -eq 'User') { $objectClass = 'User' } elseif ($class -eq 'Group') { $objectClass = 'Group' }
        $name = $null
        try { $name = (New-Object System.Security.Principal.SecurityIdentifier($sid)).Translate([System.Security.Principal.NTAccount]).Value } catch { }
        $source = $sources[$sid]
        if (@('Local', 'ActiveDirectory', 'AzureAD', 'MicrosoftAccount') -notcontains $source) {
            if ($null -eq $machineSid) { $machineSid = Get-LocalAccountDomainSid; if ($null -eq $machineSid) { $machineSid = '' } }
            $source = Get-PrincipalSourceFromSid $sid $machineSid
        }
        $list.Add([ordered]@{ sid = $sid; name = $name; objectClass = $objectClass; principalSource = $source })
    }
    return , $list.ToArray()
}

function Invoke-OpGroupMembers($Op) {
    return @{ value = (Get-LocalGroupMemberList ([string]$Op.sid)) }
}

function Resolve-MemberSid([string]$Member) {
    if ($Member -match '^S-1-\d+(-\d+)+$') { return $Member }
    try { return (New-Object System.Security.Principal.NTAccount($Member)).Translate([System.Security.Principal.SecurityIdentifier]).Value }
    catch { Throw-OpError 'NotFound' ("account $Member cannot be resolved to a SID") $null }
}

function Test-GroupMember([string]$GroupSid, [string]$MemberSid) {
    foreach ($m in (Get-LocalGroupMemberList $GroupSid)) { if ($m['sid'] -eq $MemberSid) { return $true } }
    return $false
}

function Invoke-OpGroupChange($Op, [bool]$Add) {
    $groupSid = [string]$Op.groupSid
    $memberSid = Resolve-MemberSid ([string]$Op.member)
    $was = Test-GroupMember $groupSid $memberSid
    if ($Add -and -not $was) {
        $group = Get-LocalGroupBySid $groupSid
        $group.Add('WinNT://' + $memberSid) | Out-Null
    }
    elseif (-not $Add -and $was) {
        $group = Get-LocalGroupBySid $groupSid
        $group.Remove('WinNT://' + $memberSid) | Out-Null
    }
    $now = Test-GroupMember $groupSid $memberSid
    return @{ previous = [ordered]@{ wasMember = $was }; value = [ordered]@{ wasMember = $now } }
}

function Invoke-OpGroupAdd($Op) { return (Invoke-OpGroupChange $Op $true) }
function Invoke-OpGroupRemove($Op) { return (Invoke-OpGroupChange $Op $false) }

# ================= network =================

function Invoke-OpTcpListeners($Op) {
    Assert-Command 'Get-NetTCPConnection'
    $params = @{ State = 'Listen'; ErrorAction = 'SilentlyContinue' }
    if ($null -ne $Op.port) { $params['LocalPort'] = [int]$Op.port }
    $services = @{}
    foreach ($s in @(Get-CimInstance -ClassName Win32_Service -Filter 'ProcessId > 0')) {
        $procId = [int]$s.ProcessId
        if (-not $services.ContainsKey($procId)) { $services[$procId] = New-List }
        $services[$procId].Add([string]$s.Name)
    }
    $names = @{}
    $list = New-List
    foreach ($c in @(Get-NetTCPConnection @params)) {
        $owner = [int]$c.OwningProcess
        if (-not $names.ContainsKey($owner)) {
            $p = Get-Process -Id $owner -ErrorAction SilentlyContinue
            $pn = $null
            if ($null -ne $p) { $pn = [string]$p.ProcessName }
            $names[$owner] = $pn
        }
        $svc = @()
        if ($services.ContainsKey($owner)) { $svc = $services[$owner].ToArray() }
        $list.Add([ordered]@{ localAddress = [string]$c.LocalAddress; localPort = [int]$c.LocalPort; owningProcess = $owner; processName = $names[$owner]; services = $svc })
    }
    return @{ value = $list.ToArray() }
}

function Invoke-OpIpAddresses($Op) {
    Assert-Command 'Get-NetIPAddress'
    $list = New-List
    # Preferred addresses only: tentative, duplicate or deprecated ones do not answer clients.
    foreach ($a in @(Get-NetIPAddress -AddressState Preferred -ErrorAction SilentlyContinue)) {
        $family = 'IPv4'
        if ([string]$a.AddressFamily -eq 'IPv6') { $family = 'IPv6' }
        $list.Add([ordered]@{ address = [string]$a.IPAddress; family = $family; prefixLength = [int]$a.PrefixLength; interfaceAlias = [string]$a.InterfaceAlias })
    }
    return @{ value = $list.ToArray() }
}

# ================= events =================

function ConvertTo-EventPropertyString($Value) {
    if ($null -eq $Value) { return '' }
    if ($Value -is [byte[]]) { return (ConvertTo-Hex $Value) }
    if ($Value -is [DateTime]) { return (ConvertTo-IsoUtc $Value) }
    if ($Value -is [System.Security.Principal.SecurityIdentifier]) { return $Value.Value }
    if ($Value -is [System.IFormattable]) { return $Value.ToString($null, [System.Globalization.CultureInfo]::InvariantCulture) }
    return [string]$Value
}

function Invoke-OpEventsQuery($Op) {
    $log = [string]$Op.log
    $max = [int]$Op.max
    $ms = [long]$Op.sinceMinutes * 60000
    $providerClause = ''
    $providers = ConvertTo-StringArray $Op.providers
    if ($providers.Count -gt 0) {
        $parts = New-List
        foreach ($p in $providers) { $parts.Add("@Name='" + $p.Replace("'", '') + "'") }
        $providerClause = 'Provider[' + ($parts.ToArray() -join ' or ') + '] and '
    }
    # The event log rejects XPath with too many terms: query the ids in chunks.
    $chunks = New-List
    $ids = @()
    if ($null -ne $Op.ids) { $ids = @($Op.ids) }
    if ($ids.Count -eq 0) { $chunks.Add('') }
    for ($i = 0; $i -lt $ids.Count; $i += 15) {
        $terms = New-List
        foreach ($id in @($ids[$i..([Math]::Min($i + 14, $ids.Count - 1))])) { $terms.Add('EventID=' + [int]$id) }
        $chunks.Add('(' + ($terms.ToArray() -join ' or ') + ') and ')
    }
    $records = New-List
    foreach ($chunk in $chunks) {
        $xpath = '*[System[' + $providerClause + $chunk + 'TimeCreated[timediff(@SystemTime) <= ' + $ms + ']]]'
        $errs = $null
        $found = @(Get-WinEvent -LogName $log -FilterXPath $xpath -MaxEvents $max -ErrorAction SilentlyContinue -ErrorVariable errs)
        foreach ($er in @($errs)) {
            if ($null -eq $er) { continue }
            $fq = [string]$er.FullyQualifiedErrorId
            if ($fq -like 'NoMatchingEventsFound*') { continue }
            if ($fq -like 'NoMatchingLogsFound*' -or $fq -like '*LogNotFound*') { Throw-OpError 'NotFound' ("event log $log does not exist on this host") $null }
            if ($er.Exception -is [System.UnauthorizedAccessException]) { Throw-OpError 'AccessDenied' ("reading event log $log was denied") $null }
            Throw-OpError 'Failed' ([string]$er.Exception.Message) $null
        }
        foreach ($e in $found) { $records.Add($e) }
    }
    $sorted = @($records.ToArray() | Sort-Object -Property TimeCreated -Descending | Select-Object -First $max)
    $list = New-List
    foreach ($e in $sorted) {
        $props = New-List
        foreach ($p in @($e.Properties)) { $props.Add((ConvertTo-EventPropertyString $p.Value)) }
        $level = 0
        if ($null -ne $e.Level) { $level = [int]$e.Level }
        $list.Add([ordered]@{ log = [string]$e.LogName; provider = [string]$e.ProviderName; id = [int]$e.Id; level = $level; timeCreated = (ConvertTo-IsoUtc $e.TimeCreated); properties = $props.ToArray() })
    }
    return @{ value = $list.ToArray() }
}

# ================= files =================

function Invoke-OpFileAcl($Op) {
    $path = [string]$Op.path
    $full = [Environment]::ExpandEnvironmentVariables($path)
    $result = [ordered]@{ path = $path; exists = $false; ownerSid = $null; access = @() }
    if (-not (Test-Path -LiteralPath $full)) { return @{ value = $result } }
    $acl = Get-Acl -LiteralPath $full
    $result['exists'] = $true
    try { $result['ownerSid'] = [string]$acl.GetOwner([System.Security.Principal.SecurityIdentifier]).Value } catch { }
    $list = New-List
    foreach ($rule in $acl.GetAccessRules($true, $true, [System.Security.Principal.SecurityIdentifier])) {
        $rights = [long][int]$rule.FileSystemRights
        if ($rights -lt 0) { $rights = $rights + 4294967296 }
        $type = 'Allow'
        if ([string]$rule.AccessControlType -eq 'Deny') { $type = 'Deny' }
        $list.Add([ordered]@{ sid = [string]$rule.IdentityReference.Value; rights = $rights; type = $type; inherited = [bool]$rule.IsInherited })
    }
    $result['access'] = $list.ToArray()
    return @{ value = $result }
}

# ================= OS and sessions =================

function Invoke-OpOsInfo($Op) {
    $os = @(Get-CimInstance -ClassName Win32_OperatingSystem)[0]
    $cs = @(Get-CimInstance -ClassName Win32_ComputerSystem)[0]
    $cv = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    $edition = Get-RegistryValueState $cv 'EditionID'
    $install = Get-RegistryValueState $cv 'InstallationType'
    $guid = Get-RegistryValueState 'HKLM:\SOFTWARE\Microsoft\Cryptography' 'MachineGuid'
    $domain = $null
    if ($cs.PartOfDomain) { $domain = ConvertTo-StringOrNull $cs.Domain }
    $value = [ordered]@{
        computerName = [string]$env:COMPUTERNAME
        domain = $domain
        partOfDomain = [bool]$cs.PartOfDomain
        caption = [string]$os.Caption
        version = [string]$os.Version
        buildNumber = [string]$os.BuildNumber
        editionId = [string]$edition['data']
        productType = [int]$os.ProductType
        installationType = ConvertTo-StringOrNull $install['data']
        machineGuid = ConvertTo-StringOrNull $guid['data']
        lastBootUpTime = (ConvertTo-IsoUtc $os.LastBootUpTime)
        utcNow = [DateTime]::UtcNow.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
    }
    return @{ value = $value }
}

$WtsSource = @'
using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
namespace RdpMedic {
    public class WtsSession { public int Id; public string WinStation; public int State; public string User; public string Domain; public string Client; }
    public static class Wts {
        [StructLayout(LayoutKind.Sequential)]
        struct WTS_SESSION_INFO { public int SessionId; public IntPtr pWinStationName; public int State; }
        [DllImport("wtsapi32.dll", SetLastError = true)]
        static extern bool WTSEnumerateSessionsW(IntPtr server, int reserved, int version, out IntPtr info, out int count);
        [DllImport("wtsapi32.dll", SetLastError = true)]
        static extern bool WTSQuerySessionInformationW(IntPtr server, int sessionId, int infoClass, out IntPtr buffer, out int bytes);
        [DllImport("wtsapi32.dll")]
        static extern void WTSFreeMemory(IntPtr memory);
        static string Query(int id, int infoClass) {
            IntPtr buffer; int bytes;
            if (!WTSQuerySessionInformationW(IntPtr.Zero, id, infoClass, out buffer, out bytes)) return null;
            try { return Marshal.PtrToStringUni(buffer); } finally { WTSFreeMemory(buffer); }
        }
        public static WtsSession[] Enumerate() {
            IntPtr info; int count;
            if (!WTSEnumerateSessionsW(IntPtr.Zero, 0, 1, out info, out count)) throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
            List<WtsSession> list = new List<WtsSession>();
            try {
                int size = Marshal.SizeOf(typeof(WTS_SESSION_INFO));
                for (int i = 0; i < count; i++) {
                    WTS_SESSION_INFO s = (WTS_SESSION_INFO)Marshal.PtrToStructure(new IntPtr(info.ToInt64() + (long)i * size), typeof(WTS_SESSION_INFO));
                    WtsSession r = new WtsSession();
                    r.Id = s.SessionId; r.WinStation = Marshal.PtrToStringUni(s.pWinStationName); r.State = s.State;
                    r.User = Query(s.SessionId, 5); r.Domain = Query(s.SessionId, 7); r.Client = Query(s.SessionId, 10);
                    list.Add(r);
                }
            } finally { WTSFreeMemory(info); }
            return list.ToArray();
        }
    }
}
'@

function Invoke-OpRdpSessions($Op) {
    # Compiled once per process; qwinsta's text is translated, the WTS numbers are not.
    if (-not ('RdpMedic.Wts' -as [type])) { Add-Type -TypeDefinition $WtsSource -Language CSharp }
    $list = New-List
    foreach ($s in [RdpMedic.Wts]::Enumerate()) {
        $user = $null
        if ($s.User) {
            if ($s.Domain) { $user = [string]$s.Domain + '\' + [string]$s.User } else { $user = [string]$s.User }
        }
        $list.Add([ordered]@{ id = [int]$s.Id; winStation = [string]$s.WinStation; user = $user; state = [int]$s.State; clientName = (ConvertTo-StringOrNull $s.Client) })
    }
    return @{ value = $list.ToArray() }
}

# ================= time-boxed revert task =================

$RevertDir = Join-Path $env:ProgramData 'rdp-medic'
$TaskPath = '\rdp-medic\'

# What the scheduled task runs: the saved runtime with the saved plan; it leaves the result
# next to them, deletes the plan files and unregisters itself (one shot).
$RevertLoader = @'
$ErrorActionPreference = 'Stop'
$d = Join-Path $env:ProgramData 'rdp-medic'
$n = '__NAME__'
$out = Join-Path $d ('revert-' + $n + '.result.json')
try {
    $RdpMedicRuntime = [IO.File]::ReadAllText((Join-Path $d ('revert-' + $n + '.ps1')))
    $pj = [IO.File]::ReadAllText((Join-Path $d ('revert-' + $n + '.json')))
    $r = & ([ScriptBlock]::Create($RdpMedicRuntime)) $pj
    [IO.File]::WriteAllText($out, (ConvertTo-Json -InputObject $r -Depth 10 -Compress))
} catch {
    [IO.File]::WriteAllText($out, ('{"error":' + (ConvertTo-Json -InputObject ([string]$_) -Compress) + '}'))
}
Remove-Item -LiteralPath (Join-Path $d ('revert-' + $n + '.ps1')), (Join-Path $d ('revert-' + $n + '.json')) -Force -ErrorAction SilentlyContinue
Unregister-ScheduledTask -TaskPath '\rdp-medic\' -TaskName $n -Confirm:$false -ErrorAction SilentlyContinue
'@

function New-RestrictedSecurity([bool]$Directory) {
    if ($Directory) { $sec = New-Object System.Security.AccessControl.DirectorySecurity }
    else { $sec = New-Object System.Security.AccessControl.FileSecurity }
    $sec.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $id = New-Object System.Security.Principal.SecurityIdentifier($sid)
        if ($Directory) {
            $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($id, [System.Security.AccessControl.FileSystemRights]::FullControl,
                ([System.Security.AccessControl.InheritanceFlags]'ContainerInherit, ObjectInherit'), [System.Security.AccessControl.PropagationFlags]::None,
                [System.Security.AccessControl.AccessControlType]::Allow)
        }
        else {
            $rule = New-Object System.Security.AccessControl.FileSystemAccessRule($id, [System.Security.AccessControl.FileSystemRights]::FullControl,
                [System.Security.AccessControl.AccessControlType]::Allow)
        }
        $sec.AddAccessRule($rule)
    }
    $sec.SetOwner((New-Object System.Security.Principal.SecurityIdentifier('S-1-5-32-544')))
    return $sec
}

# %ProgramData% lets users create folders: never trust a folder someone else made or a junction.
function Initialize-RevertDirectory {
    if (-not (Test-Path -LiteralPath $RevertDir)) {
        [System.IO.Directory]::CreateDirectory($RevertDir, (New-RestrictedSecurity $true)) | Out-Null
        return
    }
    $item = Get-Item -LiteralPath $RevertDir -Force
    if (($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) -ne 0 -or -not $item.PSIsContainer) {
        Throw-OpError 'Failed' ("$RevertDir is a link or a file; refusing to use it") $null
    }
    $owner = (Get-Acl -LiteralPath $RevertDir).GetOwner([System.Security.Principal.SecurityIdentifier]).Value
    $me = [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value
    if (@('S-1-5-18', 'S-1-5-32-544', $me) -notcontains $owner) {
        Throw-OpError 'Failed' ("$RevertDir is owned by $owner, not SYSTEM or Administrators; refusing to use it") $null
    }
    [System.IO.Directory]::SetAccessControl($RevertDir, (New-RestrictedSecurity $true))
}

function Write-RestrictedFile([string]$Path, [string]$Text) {
    if (Test-Path -LiteralPath $Path) { Remove-Item -LiteralPath $Path -Force }
    [System.IO.File]::WriteAllText($Path, $Text, (New-Object System.Text.UTF8Encoding($false)))
    [System.IO.File]::SetAccessControl($Path, (New-RestrictedSecurity $false))
}

function Assert-TaskName([string]$Name) {
    if ($Name -notmatch '^[A-Za-z0-9._-]{1,64}$') { Throw-OpError 'InvalidArgument' ("invalid task name " + $Name) $null }
}

function Test-RevertTask([string]$Name) {
    return ($null -ne (Get-ScheduledTask -TaskPath $TaskPath -TaskName $Name -ErrorAction SilentlyContinue))
}

function Invoke-OpTaskScheduleRevert($Op) {
    Assert-Command 'Register-ScheduledTask'
    $name = [string]$Op.name
    Assert-TaskName $name
    $nested = $Op.plan
    if ($null -eq $nested -or $KnownPlanVersions -notcontains $nested.version) { Throw-OpError 'InvalidArgument' 'the revert plan has an unknown version' $null }
    if ([string]$nested.mode -ne 'write') { Throw-OpError 'InvalidArgument' 'the revert plan must be a write plan' $null }
    foreach ($n in @($nested.ops)) {
        if ($WriteOps -notcontains [string]$n.op -or [string]$n.op -eq 'task.scheduleRevert') {
            Throw-OpError 'InvalidArgument' ("the revert plan may hold write operations only, not " + [string]$n.op) $null
        }
    }
    if ($null -eq $RuntimeText -or -not $RuntimeText.StartsWith('# rdp-medic-runtime ')) { Throw-OpError 'Failed' 'the runtime cannot find its own text' $null }
    $existed = Test-RevertTask $name
    Initialize-RevertDirectory
    Write-RestrictedFile (Join-Path $RevertDir ('revert-' + $name + '.ps1')) $RuntimeText
    Write-RestrictedFile (Join-Path $RevertDir ('revert-' + $name + '.json')) (ConvertTo-Json -InputObject $nested -Depth 30 -Compress)
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($RevertLoader.Replace('__NAME__', $name)))
    $exe = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
    $action = New-ScheduledTaskAction -Execute $exe -Argument ('-NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ' + $encoded)
    $trigger = New-ScheduledTaskTrigger -Once -At ((Get-Date).AddMinutes([int]$Op.afterMinutes))
    # 'SYSTEM' is the same in every locale; StartWhenAvailable runs a missed revert after a reboot.
    $principal = New-ScheduledTaskPrincipal -UserId 'SYSTEM' -LogonType ServiceAccount -RunLevel Highest
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Minutes 30)
    Register-ScheduledTask -TaskPath $TaskPath -TaskName $name -Action $action -Trigger $trigger -Principal $principal -Settings $settings -Force | Out-Null
    return @{ previous = [ordered]@{ existed = $existed }; value = [ordered]@{ existed = (Test-RevertTask $name) } }
}

function Invoke-OpTaskCancel($Op) {
    Assert-Command 'Unregister-ScheduledTask'
    $name = [string]$Op.name
    Assert-TaskName $name
    $existed = Test-RevertTask $name
    if ($existed) { Unregister-ScheduledTask -TaskPath $TaskPath -TaskName $name -Confirm:$false }
    foreach ($ext in @('.ps1', '.json')) {
        $f = Join-Path $RevertDir ('revert-' + $name + $ext)
        if (Test-Path -LiteralPath $f) { Remove-Item -LiteralPath $f -Force }
    }
    return @{ previous = [ordered]@{ existed = $existed }; value = [ordered]@{ existed = (Test-RevertTask $name) } }
}

# ================= dispatch =================

# region dispatch (one entry per operation of src/host/operations.ts; the tests compare both)
$Handlers = @{
    'reg.value'           = 'Invoke-OpRegValue'
    'reg.key'             = 'Invoke-OpRegKey'
    'service.get'         = 'Invoke-OpServiceGet'
    'cim.query'           = 'Invoke-OpCimQuery'
    'cert.list'           = 'Invoke-OpCertList'
    'fw.rules'            = 'Invoke-OpFwRules'
    'fw.profiles'         = 'Invoke-OpFwProfiles'
    'group.members'       = 'Invoke-OpGroupMembers'
    'tcp.listeners'       = 'Invoke-OpTcpListeners'
    'ip.addresses'        = 'Invoke-OpIpAddresses'
    'events.query'        = 'Invoke-OpEventsQuery'
    'file.acl'            = 'Invoke-OpFileAcl'
    'os.info'             = 'Invoke-OpOsInfo'
    'rdp.sessions'        = 'Invoke-OpRdpSessions'
    'reg.set'             = 'Invoke-OpRegSet'
    'reg.delete'          = 'Invoke-OpRegDelete'
    'service.control'     = 'Invoke-OpServiceControl'
    'service.startType'   = 'Invoke-OpServiceStartType'
    'fw.enable'           = 'Invoke-OpFwEnable'
    'cert.remove'         = 'Invoke-OpCertRemove'
    'cert.move'           = 'Invoke-OpCertMove'
    'group.add'           = 'Invoke-OpGroupAdd'
    'group.remove'        = 'Invoke-OpGroupRemove'
    'cim.invoke'          = 'Invoke-OpCimInvoke'
    'task.scheduleRevert' = 'Invoke-OpTaskScheduleRevert'
    'task.cancel'         = 'Invoke-OpTaskCancel'
}
# endregion dispatch

function Invoke-Operation($Op) {
    $name = [string]$Op.op
    $clock = [System.Diagnostics.Stopwatch]::StartNew()
    $result = [ordered]@{ id = [string]$Op.id; ok = $false }
    try {
        if (-not $Handlers.ContainsKey($name)) { Throw-OpError 'NotSupported' ("operation $name is not known to runtime $RuntimeVersion") $null }
        $out = & $Handlers[$name] $Op
        # A handler returns one hashtable; anything else it let slip into the pipeline is ignored.
        $r = $null
        foreach ($o in @($out)) { if ($o -is [hashtable] -and ($o.ContainsKey('value') -or $o.ContainsKey('previous'))) { $r = $o } }
        if ($null -eq $r) { Throw-OpError 'Failed' ("operation $name returned no value") $null }
        $result['ok'] = $true
        $result['value'] = $r['value']
        if ($r.ContainsKey('previous')) { $result['previous'] = $r['previous'] }
    }
    catch {
        $result['ok'] = $false
        $result['error'] = ConvertTo-OpError $_
    }
    $result['ms'] = [int]$clock.ElapsedMilliseconds
    return $result
}

# ================= the plan =================

$plan = ConvertFrom-Json -InputObject $PlanJson
if ($null -eq $plan -or $KnownPlanVersions -notcontains $plan.version) {
    throw ("plan refused: version " + [string]$plan.version + " is not known to runtime $RuntimeVersion")
}
$mode = [string]$plan.mode
if ($mode -ne 'read' -and $mode -ne 'write') { throw ("plan refused: unknown mode " + $mode) }
$ops = @($plan.ops)
if ($mode -eq 'read') {
    foreach ($op in $ops) {
        if ($WriteOps -contains [string]$op.op) { throw ("plan refused: write operation " + [string]$op.op + " (" + [string]$op.id + ") in a read plan") }
    }
}

$results = New-List
foreach ($op in $ops) { $results.Add((Invoke-Operation $op)) }

return [ordered]@{
    runtime = $RuntimeVersion
    host = [string]$env:COMPUTERNAME
    startedAt = $RuntimeStarted.ToString('o', [System.Globalization.CultureInfo]::InvariantCulture)
    elapsedMs = [int]$RuntimeClock.ElapsedMilliseconds
    results = $results.ToArray()
}
