# region engine
# The engine: parses the plan, dispatches each operation to the primitives above, checks
# compare-and-set preconditions, builds undo records, classifies errors and streams one framed
# result per operation to stdout as soon as it is done (so a deadline keeps what finished).
# No Windows API here: the tests run this text under pwsh with lab primitives.
$ErrorActionPreference = 'Stop'; $ProgressPreference = 'SilentlyContinue'; $WarningPreference = 'SilentlyContinue'
# Windows PowerShell 5.1 serializes PSObject-wrapped arrays as {"value":[...],"Count":n}; this makes them plain arrays.
try { Remove-TypeData -TypeName System.Array -ErrorAction SilentlyContinue } catch { }
$RuntimeVersion = '2.0.0'
$Clock = [Diagnostics.Stopwatch]::StartNew()
$WriteOps = @('reg.set', 'reg.delete', 'service.control', 'service.startType', 'fw.enable', 'cert.remove', 'cert.move', 'group.add', 'group.remove', 'cim.invoke', 'task.scheduleRevert', 'task.cancel')
$KeyFolders = @('%ProgramData%\Microsoft\Crypto\RSA\MachineKeys\', '%ProgramData%\Microsoft\Crypto\Keys\')

# ================= framing and errors =================
# Frames are written in batches (each Receive round trip costs latency), at least every second, and
# before any call that can hang (Use-Cim, events), so a deadline never costs a finished result.
$Pending = New-Object Text.StringBuilder; $LastFlush = 0
function Write-Frame([string]$Kind, $Object) {
    $json = ConvertTo-Json -InputObject $Object -Depth 12 -Compress
    $null = $Pending.Append('<<<RDPMEDIC ' + $Kind + ' ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json)) + " >>>`n")
    if ($Kind -eq 'END' -or $Clock.ElapsedMilliseconds - $script:LastFlush -ge 1000) { Send-Frames }
}
function Send-Frames { if ($Pending.Length) { [Console]::Out.Write($Pending.ToString()); [Console]::Out.Flush(); $null = $Pending.Clear() }; $script:LastFlush = $Clock.ElapsedMilliseconds }

function Throw-OpError([string]$Code, [string]$Message, $Current) {
    $ex = New-Object Exception($Message)
    $ex.Data['RdpMedicCode'] = $Code
    if ($null -ne $Current) { $ex.Data['RdpMedicCurrent'] = $Current }
    throw $ex
}

# An ErrorRecord as { code, message[, current] }: our own codes first, then by exception type.
function ConvertTo-OpError($ErrorRecord) {
    $chain = @(); $e = $ErrorRecord.Exception
    while ($null -ne $e -and $chain.Count -lt 10) { $chain += $e; $e = $e.InnerException }
    foreach ($e in $chain) {
        if ($e.Data -and $e.Data.Contains('RdpMedicCode')) {
            $err = [ordered]@{ code = [string]$e.Data['RdpMedicCode']; message = $e.Message }
            if ($e.Data.Contains('RdpMedicCurrent')) { $err['current'] = $e.Data['RdpMedicCurrent'] }
            return $err
        }
    }
    $code = 'Failed'
    foreach ($e in $chain) {
        $type = $e.GetType().FullName
        if ($e -is [UnauthorizedAccessException] -or $e -is [Security.SecurityException] -or $e.HResult -eq -2147024891) { $code = 'AccessDenied' }
        elseif ($type -like '*TimeoutException') { $code = 'Timeout' }
        elseif ($e -is [Management.Automation.CommandNotFoundException] -or $e -is [PlatformNotSupportedException]) { $code = 'NotSupported' }
        elseif ($e -is [Management.Automation.ItemNotFoundException] -or $type -eq 'System.Security.Principal.IdentityNotMappedException') { $code = 'NotFound' }
        elseif ($type -eq 'Microsoft.Management.Infrastructure.CimException') {
            $code = @{ AccessDenied = 'AccessDenied'; NotFound = 'NotFound'; InvalidNamespace = 'NotSupported'; InvalidClass = 'NotSupported'; NotSupported = 'NotSupported'
                MethodNotFound = 'NotSupported'; InvalidQuery = 'InvalidArgument'; InvalidParameter = 'InvalidArgument' }[[string]$e.NativeErrorCode]
            if (-not $code) { $code = 'Failed' }
        }
        if ($code -ne 'Failed') { break }
    }
    if ($code -eq 'Failed') {
        $code = @{ PermissionDenied = 'AccessDenied'; SecurityError = 'AccessDenied'; ObjectNotFound = 'NotFound'; InvalidArgument = 'InvalidArgument'; OperationTimeout = 'Timeout' }[[string]$ErrorRecord.CategoryInfo.Category]
        if (-not $code) { $code = 'Failed' }
    }
    $message = [string]$ErrorRecord.Exception.Message
    if ($message.Length -gt 500) { $message = $message.Substring(0, 500) }
    return [ordered]@{ code = $code; message = $message }
}

# ================= values =================
# Numbers numerically, strings ordinally, lists item by item, booleans only with booleans.
function Test-ValueEqual($Actual, $Expected) {
    if ($null -eq $Expected -or $null -eq $Actual) { return ($null -eq $Expected -and $null -eq $Actual) }
    if ($Expected -is [bool] -or $Actual -is [bool]) { return ($Expected -is [bool] -and $Actual -is [bool] -and $Expected -eq $Actual) }
    if ($Expected -is [string] -or $Actual -is [string]) { return ($Expected -is [string] -and $Actual -is [string] -and [string]::Equals($Actual, $Expected, 'Ordinal')) }
    if ($Expected -is [Collections.IList] -or $Actual -is [Collections.IList]) {
        if (-not ($Expected -is [Collections.IList] -and $Actual -is [Collections.IList]) -or $Actual.Count -ne $Expected.Count) { return $false }
        for ($i = 0; $i -lt $Actual.Count; $i++) { if (-not (Test-ValueEqual $Actual[$i] $Expected[$i])) { return $false } }
        return $true
    }
    try { return ([decimal]$Actual -eq [decimal]$Expected) } catch { return $false }
}

function Get-Prop($Object, [string]$Name) {
    if ($null -eq $Object) { return $null }
    if ($Object -is [Collections.IDictionary]) { return $Object[$Name] }
    $p = $Object.PSObject.Properties[$Name]
    if ($null -eq $p) { return $null }
    return $p.Value
}

function Get-Keys($Object) {
    if ($null -eq $Object) { return @() }
    if ($Object -is [Collections.IDictionary]) { return @($Object.Keys) }
    return @($Object.PSObject.Properties | ForEach-Object { $_.Name })
}

function Get-OrNull($Value) { if ($null -eq $Value -or [string]$Value -eq '') { return $null }; return $Value }
# ================= CIM: each call bounded; a namespace that timed out once is skipped after =================
$HungNamespaces = @{}
function Use-Cim([string]$Namespace, [scriptblock]$Call) {
    $ns = $Namespace.ToLowerInvariant()
    if ($HungNamespaces.ContainsKey($ns)) { Throw-OpError 'Timeout' "skipped: $Namespace did not answer a previous query within $CimTimeout s" $null }
    Send-Frames; $t = [Diagnostics.Stopwatch]::StartNew()
    try { return (& $Call) }
    catch {
        # A call that used up its whole time is a hung provider, whatever exception it surfaced as.
        if ($t.Elapsed.TotalSeconds -ge $CimTimeout - 0.5) { $HungNamespaces[$ns] = $true; Throw-OpError 'Timeout' "$Namespace did not answer within $CimTimeout s" $null }
        throw
    }
}

function Read-Cim([string]$Namespace, [string]$Class, [string]$Filter) {
    return , @(Use-Cim $Namespace { Read-CimInstances $Namespace $Class $Filter $CimTimeout })
}

function ConvertTo-WqlString([string]$Value) { return "'" + $Value.Replace('\', '\\').Replace("'", "\'") + "'" }

# ================= registry =================
function Get-RegState([string]$Path, [string]$Name) {
    if ($Path -notmatch '^(HKLM|HKU):\\') { Throw-OpError 'InvalidArgument' "registry path must start with HKLM:\ or HKU:\ : $Path" $null }
    $key = Read-RegKey $Path
    $v = $null; if ($null -ne $key) { $v = @(@($key.values) | Where-Object { $_.name -eq $Name })[0] }
    if ($null -eq $v) { return [ordered]@{ path = $Path; name = $Name; exists = $false; kind = $null; data = $null; supported = $true } }
    $kind = $v.kind; if (-not $v.supported) { $kind = 'Binary' }
    return [ordered]@{ path = $Path; name = $Name; exists = $true; kind = $kind; data = $v.data; supported = [bool]$v.supported }
}

function Select-RegState($S) { return [ordered]@{ path = $S.path; name = $S.name; exists = $S.exists; kind = $S.kind; data = $S.data } }

function Assert-RegExpect($Op, $State) {
    $e = Get-Prop $Op 'expect'
    if ($null -eq $e) { return }
    $same = ([bool]$e.exists -eq [bool]$State.exists) -and (-not $State.exists -or ([string]$e.kind -eq [string]$State.kind -and (Test-ValueEqual $State.data $e.data)))
    if (-not $same) { Throw-OpError 'PreconditionFailed' ("registry value " + $State.path + '\' + $State.name + " changed since the diagnosis") (Select-RegState $State) }
    if ($State.exists -and -not $State.supported) { Throw-OpError 'NotSupported' ("registry value " + $State.path + '\' + $State.name + " has a kind the undo record cannot represent") (Select-RegState $State) }
}

function Assert-RegData([string]$Kind, $Data) {
    $ok = switch ($Kind) {
        { $_ -in 'String', 'ExpandString' } { $Data -is [string] }
        'DWord' { $Data -is [ValueType] -and $Data -isnot [bool] -and [decimal]$Data -ge 0 -and [decimal]$Data -le 4294967295 -and [decimal]$Data % 1 -eq 0 }
        'QWord' { $Data -is [ValueType] -and $Data -isnot [bool] -and [decimal]$Data -ge 0 -and [decimal]$Data % 1 -eq 0 }
        'Binary' { $Data -is [string] -and $Data -match '^([0-9a-fA-F]{2})*$' }
        'MultiString' { @($Data | Where-Object { $_ -isnot [string] }).Count -eq 0 }
        default { $false }
    }
    if (-not $ok) { Throw-OpError 'InvalidArgument' "$Kind data has the wrong shape" $null }
}

function Invoke-RegValue($Op) { return @{ value = (Select-RegState (Get-RegState $Op.path $Op.name)) } }

function Invoke-RegKey($Op) {
    $null = Get-RegState $Op.path ''
    $key = Read-RegKey $Op.path
    if ($null -eq $key) { return @{ value = [ordered]@{ path = $Op.path; exists = $false; values = @(); subkeys = @() } } }
    $values = @(foreach ($v in $key.values) { $kind = $v.kind; if (-not $v.supported) { $kind = 'Binary' }; [ordered]@{ name = $v.name; kind = $kind; data = $v.data } })
    return @{ value = [ordered]@{ path = $Op.path; exists = $true; values = $values; subkeys = @($key.subkeys) } }
}

# reg.set and reg.delete: compare-and-set, then write, and the state before and after.
function Invoke-RegWrite($Op) {
    if ($Op.op -eq 'reg.set') { Assert-RegData $Op.kind $Op.data }
    $before = Get-RegState $Op.path $Op.name
    Assert-RegExpect $Op $before
    if ($CheckMode) { return @{ previous = (Select-RegState $before); value = (Get-Predicted $Op) } }
    if ($Op.op -eq 'reg.set') { Write-RegValue $Op.path $Op.name $Op.kind $Op.data } elseif ($before.exists) { Remove-RegValue $Op.path $Op.name }
    return @{ previous = (Select-RegState $before); value = (Select-RegState (Get-RegState $Op.path $Op.name)) }
}

# ================= services =================
function Get-ServiceRecord([string]$Name) {
    if ($Name -match '[\*\?\[\]]') { Throw-OpError 'InvalidArgument' "service name must not contain wildcards: $Name" $null }
    return (Read-Cim 'root\cimv2' 'Win32_Service' ('Name=' + (ConvertTo-WqlString $Name)))[0]
}

function ConvertTo-StartType([string]$Mode) { return @{ Auto = 'Automatic'; Boot = 'Boot'; System = 'System'; Manual = 'Manual'; Disabled = 'Disabled' }[$Mode] }

function Invoke-ServiceGet($Op) {
    $info = [ordered]@{ name = $Op.name; exists = $false; state = $null; startType = $null; delayedAutoStart = $null; account = $null; processId = $null; serviceType = $null; dependsOn = @() }
    $svc = Get-ServiceRecord $Op.name
    if ($null -eq $svc) { return @{ value = $info } }
    $state = ([string]$svc.State).Replace(' ', '')
    if (@('Running', 'Stopped', 'StartPending', 'StopPending', 'Paused', 'PausePending', 'ContinuePending') -notcontains $state) { $state = 'Unknown' }
    $key = 'HKLM:\SYSTEM\CurrentControlSet\Services\' + $svc.Name
    $delayed = Get-RegState $key 'DelayedAutostart'
    $deps = Get-RegState $key 'DependOnService'
    $info.name = $svc.Name; $info.exists = $true; $info.state = $state; $info.startType = ConvertTo-StartType $svc.StartMode
    $info.delayedAutoStart = ($info.startType -eq 'Automatic' -and $delayed.exists -and $delayed.data -eq 1)
    $info.account = Get-OrNull $svc.StartName; $info.serviceType = Get-OrNull $svc.ServiceType
    if ($svc.ProcessId -gt 0) { $info.processId = [int]$svc.ProcessId }
    if ($deps.exists -and $deps.kind -eq 'MultiString') { $info.dependsOn = @($deps.data) }
    return @{ value = $info }
}

function Invoke-ServiceControl($Op) {
    $name = [string]$Op.name; $timeout = 60; if ($Op.timeoutSec) { $timeout = [int]$Op.timeoutSec }
    $deadline = $Clock.Elapsed.TotalSeconds + $timeout
    if ($name -match '[\*\?\[\]]') { Throw-OpError 'InvalidArgument' "service name must not contain wildcards: $name" $null }
    $before = Get-ServiceStatus $name
    if ($null -eq $before) { Throw-OpError 'NotFound' "service $name does not exist" $null }
    if ($Op.expectState -and $Op.expectState -ne $before) { Throw-OpError 'PreconditionFailed' "service $name is $before, expected $($Op.expectState)" ([ordered]@{ state = $before }) }
    if ($CheckMode) { return @{ previous = [ordered]@{ state = $before }; value = (Get-Predicted $Op) } }
    $target = 'Running'; $other = 'Stopped'; $pending = 'StopPending'
    if ($Op.action -eq 'stop') { $target = 'Stopped'; $other = 'Running'; $pending = 'StartPending' }
    $now = $before
    if ($now -eq $pending) { $now = Wait-ServiceState $name $other ([Math]::Max(0, [int]($deadline - $Clock.Elapsed.TotalSeconds))) }
    if ($now -ne $target -and $now -ne ($target.Replace('Running', 'StartPending').Replace('Stopped', 'StopPending'))) { Send-ServiceControl $name $Op.action }
    $now = Wait-ServiceState $name $target ([Math]::Max(0, [int]($deadline - $Clock.Elapsed.TotalSeconds)))
    if ($now -ne $target) { Throw-OpError 'Timeout' "service $name did not reach $target within $timeout s" ([ordered]@{ state = $now }) }
    return @{ previous = [ordered]@{ state = $before }; value = [ordered]@{ state = $now } }
}

function Invoke-ServiceStartType($Op) {
    $svc = Get-ServiceRecord $Op.name
    if ($null -eq $svc) { Throw-OpError 'NotFound' "service $($Op.name) does not exist" $null }
    $before = ConvertTo-StartType $svc.StartMode
    if ($Op.expectStartType -and $Op.expectStartType -ne $before) { Throw-OpError 'PreconditionFailed' "service $($Op.name) start type is $before, expected $($Op.expectStartType)" ([ordered]@{ startType = $before }) }
    if ($CheckMode) { return @{ previous = [ordered]@{ startType = $before }; value = (Get-Predicted $Op) } }
    if ($before -ne $Op.startType) {
        $rv = Use-Cim 'root\cimv2' { Set-ServiceStartMode $svc.Name $Op.startType $CimTimeout }
        if ($rv -eq 2) { Throw-OpError 'AccessDenied' "ChangeStartMode($($Op.startType)) on $($Op.name) was denied" $null }
        if ($rv -ne 0) { Throw-OpError 'Failed' "ChangeStartMode($($Op.startType)) on $($Op.name) returned $rv" $null }
    }
    return @{ previous = [ordered]@{ startType = $before }; value = [ordered]@{ startType = (ConvertTo-StartType (Get-ServiceRecord $Op.name).StartMode) } }
}

# ================= CIM =================
function Select-CimRecord($Record, $Properties) {
    if ($null -eq $Properties) { return $Record }
    $h = [ordered]@{}
    foreach ($p in @($Properties)) { $h[$p] = Get-Prop $Record $p }
    return $h
}

function Invoke-CimQuery($Op) {
    return @{ value = @(foreach ($r in (Read-Cim $Op.namespace $Op.className $Op.filter)) { Select-CimRecord $r (Get-Prop $Op 'properties') }) }
}

function Invoke-CimInvoke($Op) {
    $where = $Op.className; if ($Op.filter) { $where = "$where where $($Op.filter)" }
    $found = Read-Cim $Op.namespace $Op.className $Op.filter
    if ($found.Count -eq 0) { Throw-OpError 'NotFound' "no instance of $where" $null }
    if ($found.Count -gt 1) { Throw-OpError 'InvalidArgument' "$where matches $($found.Count) instances; cim.invoke needs exactly one" $null }
    $expect = Get-Prop $Op 'expect'
    $current = [ordered]@{}; $same = $true
    foreach ($k in (Get-Keys $expect)) { $current[$k] = Get-Prop $found[0] $k; if (-not (Test-ValueEqual $current[$k] (Get-Prop $expect $k))) { $same = $false } }
    if (-not $same) { Throw-OpError 'PreconditionFailed' "$where changed since the diagnosis" $current }
    $captured = [ordered]@{}; foreach ($k in @(Get-Prop $Op 'capture')) { if ($k) { $captured[$k] = Get-Prop $found[0] $k } }
    if ($CheckMode) { return @{ previous = $captured; value = (Get-Predicted $Op) } }
    $arguments = @{}; foreach ($k in (Get-Keys $Op.args)) { $arguments[$k] = Get-Prop $Op.args $k }
    $rv = Use-Cim $Op.namespace { Invoke-CimMethodOn $Op.namespace $Op.className $Op.filter $Op.method $arguments $CimTimeout }
    if ($null -ne $rv -and $rv -ne 0) { Throw-OpError 'Failed' "$where.$($Op.method) returned $rv" ([ordered]@{ returnValue = $rv; captured = $captured }) }
    return @{ previous = $captured; value = [ordered]@{ returnValue = $rv } }
}

# ================= certificates =================
function Get-DerThumbprint([string]$Der) {
    $sha1 = [Security.Cryptography.SHA1]::Create()
    try { return ([BitConverter]::ToString($sha1.ComputeHash([Convert]::FromBase64String($Der)))).Replace('-', '') } finally { $sha1.Dispose() }
}

# The certificates of a store with their key files; a store that does not exist holds none.
function Get-StoreCertificates([string]$Store) {
    return , @(foreach ($c in (Read-StoreCertificates $Store)) {
            if ($null -eq $c) { continue }
            $keyFile = $null
            if ($c.keyContainer) {
                foreach ($folder in $KeyFolders) {
                    $acl = Read-FileAcl ($folder + $c.keyContainer)
                    if ($null -ne $acl) { $keyFile = ConvertTo-FileAcl ($folder + $c.keyContainer) $acl; break }
                }
            }
            [ordered]@{ store = $Store; der = $c.der; hasPrivateKey = [bool]$c.hasPrivateKey; keyContainer = (Get-OrNull $c.keyContainer); keyFile = $keyFile }
        })
}

function Find-Certificate([string]$Store, [string]$Thumbprint) {
    if ($null -eq (Read-StoreCertificates $Store)) { Throw-OpError 'NotFound' "certificate store LocalMachine\$Store does not exist" $null }
    foreach ($c in (Get-StoreCertificates $Store)) { if ((Get-DerThumbprint $c.der) -eq $Thumbprint) { return $c } }
    Throw-OpError 'NotFound' "certificate $Thumbprint is not in LocalMachine\$Store" $null
}

function Invoke-CertList($Op) { return @{ value = (Get-StoreCertificates $Op.store) } }

function Invoke-CertRemove($Op) {
    $thumb = ($Op.thumbprint -replace '[^0-9A-Fa-f]', '').ToUpperInvariant()
    $cert = Find-Certificate $Op.store $thumb
    if (-not $CheckMode) { Remove-StoreCertificate $Op.store $thumb }
    return @{ previous = $cert; value = $null }
}

function Invoke-CertMove($Op) {
    $thumb = ($Op.thumbprint -replace '[^0-9A-Fa-f]', '').ToUpperInvariant()
    $cert = Find-Certificate $Op.fromStore $thumb
    if ($CheckMode) { $moved = [ordered]@{}; foreach ($k in $cert.Keys) { $moved[$k] = $cert[$k] }; $moved.store = $Op.toStore; return @{ previous = $cert; value = $moved } }
    Move-StoreCertificate $Op.fromStore $Op.toStore $thumb
    return @{ previous = $cert; value = (Find-Certificate $Op.toStore $thumb) }
}

# ================= files =================
function ConvertTo-FileAcl([string]$Path, $Acl) {
    $result = [ordered]@{ path = $Path; exists = $false; ownerSid = $null; access = @() }
    if ($null -eq $Acl) { return $result }
    $result.exists = $true; $result.ownerSid = Get-OrNull $Acl.ownerSid
    $result.access = @(foreach ($r in $Acl.access) { $type = 'Allow'; if ($r.type -eq 'Deny') { $type = 'Deny' }; [ordered]@{ sid = $r.sid; rights = $r.rights; type = $type; inherited = [bool]$r.inherited } })
    return $result
}

function Invoke-FileAcl($Op) { return @{ value = (ConvertTo-FileAcl $Op.path (Read-FileAcl $Op.path)) } }

# ================= firewall =================
function ConvertTo-Rule($R) {
    $source = $R.policyStoreSourceType; if (@('Local', 'GroupPolicy', 'Dynamic', 'Generated', 'Hardcoded') -notcontains $source) { $source = $null }
    $direction = 'Inbound'; if ($R.direction -eq 'Outbound') { $direction = 'Outbound' }
    $action = 'Allow'; if ($R.action -eq 'Block') { $action = 'Block' }
    return [ordered]@{ name = $R.name; group = (Get-OrNull $R.group); enabled = [bool]$R.enabled; direction = $direction; action = $action; profiles = @($R.profiles)
        protocol = (Get-OrNull $R.protocol); localPorts = @($R.localPorts); remoteAddresses = @($R.remoteAddresses); policyStoreSourceType = $source }
}

function Test-PortCovered($Ports, [int]$Port) {
    foreach ($p in @($Ports)) {
        if ($p -match '^\d+$' -and [int]$p -eq $Port) { return $true }
        if ($p -match '^(\d+)-(\d+)$' -and [int]$Matches[1] -le $Port -and $Port -le [int]$Matches[2]) { return $true }
    }
    return $false
}

function Invoke-FwRules($Op) {
    $found = @{}
    if ($Op.group) { foreach ($r in (Read-FirewallRules $Op.group '')) { $found[$r.name] = $r } }
    foreach ($n in @(Get-Prop $Op 'names')) { if ($n) { foreach ($r in (Read-FirewallRules '' $n)) { $found[$r.name] = $r } } }
    if ($Op.port) {
        foreach ($r in (Read-FirewallTcpPortRules)) {
            if ($r.direction -eq 'Inbound' -and @('TCP', 'Any') -contains $r.protocol -and (Test-PortCovered $r.localPorts $Op.port)) { $found[$r.name] = $r }
        }
    }
    if (-not $Op.group -and -not (Get-Prop $Op 'names') -and -not $Op.port) { foreach ($r in (Read-FirewallRules '' '')) { $found[$r.name] = $r } }
    $names = [string[]]@($found.Keys); [Array]::Sort($names, [StringComparer]::Ordinal)
    return @{ value = @(foreach ($n in $names) { ConvertTo-Rule $found[$n] }) }
}

function Invoke-FwProfiles($Op) {
    $categories = Read-NetworkCategories
    $active = @{ Domain = $categories -contains 'DomainAuthenticated'; Private = $categories -contains 'Private'; Public = $categories -contains 'Public' }
    $norm = { param($v, $allowed) if ($allowed -contains $v) { $v } else { 'NotConfigured' } }
    return @{ value = @(foreach ($p in (Read-FirewallProfiles)) {
                if (@('Domain', 'Private', 'Public') -notcontains $p.name) { continue }
                [ordered]@{ name = $p.name; enabled = ($p.enabled -eq 'True'); defaultInboundAction = (& $norm $p.defaultInboundAction @('Allow', 'Block'))
                    allowInboundRules = (& $norm $p.allowInboundRules @('True', 'False')); allowLocalFirewallRules = (& $norm $p.allowLocalFirewallRules @('True', 'False')); active = $active[$p.name] }
            }) }
}

function Get-RuleStates($Names) {
    $states = [ordered]@{}
    foreach ($n in $Names) {
        try { $states[$n] = [bool](Read-FirewallRuleEnabled $n) }
        catch { if ((ConvertTo-OpError $_).code -eq 'NotFound') { Throw-OpError 'NotFound' "firewall rule $n is not in the local rule store" $null }; throw }
    }
    return $states
}

function Invoke-FwEnable($Op) {
    $names = [string[]]@($Op.names)
    $before = Get-RuleStates $names
    $expect = Get-Prop $Op 'expect'
    foreach ($k in (Get-Keys $expect)) { if (-not $before.Contains($k) -or $before[$k] -ne [bool](Get-Prop $expect $k)) { Throw-OpError 'PreconditionFailed' 'firewall rules changed since the diagnosis' $before } }
    if ($CheckMode) { return @{ previous = $before; value = (Get-Predicted $Op) } }
    Set-FirewallRulesEnabled $names ([bool]$Op.enabled)
    return @{ previous = $before; value = (Get-RuleStates $names) }
}

# ================= local groups =================
function Get-GroupMembers([string]$GroupSid) {
    $g = Read-LocalGroupMembers $GroupSid
    $members = @(foreach ($m in $g.members) {
            $class = 'Unknown'; if (@('User', 'Group') -contains $m.objectClass) { $class = $m.objectClass }
            $source = $m.principalSource; if (@('Local', 'ActiveDirectory', 'AzureAD', 'MicrosoftAccount') -notcontains $source) { $source = $null }
            [ordered]@{ sid = $m.sid; name = (Get-OrNull $m.name); objectClass = $class; principalSource = $source }
        })
    return [ordered]@{ machineSid = (Get-OrNull $g.machineSid); members = $members }
}

function Invoke-GroupMembers($Op) { return @{ value = (Get-GroupMembers $Op.sid) } }

function Invoke-GroupChange($Op, [bool]$Add) {
    $member = [string]$Op.member
    if ($member -notmatch '^S-1-\d+(-\d+)+$') {
        try { $member = Resolve-AccountSid $member } catch { Throw-OpError 'NotFound' "account $($Op.member) cannot be resolved to a SID" $null }
    }
    $was = @((Get-GroupMembers $Op.groupSid).members | Where-Object { $_.sid -eq $member }).Count -gt 0
    if ($CheckMode) { return @{ previous = [ordered]@{ wasMember = $was }; value = (Get-Predicted $Op) } }
    if ($Add -and -not $was) { Add-LocalGroupMemberSid $Op.groupSid $member }
    if (-not $Add -and $was) { Remove-LocalGroupMemberSid $Op.groupSid $member }
    $now = @((Get-GroupMembers $Op.groupSid).members | Where-Object { $_.sid -eq $member }).Count -gt 0
    return @{ previous = [ordered]@{ wasMember = $was }; value = [ordered]@{ wasMember = $now } }
}

# ================= network, events, OS, sessions =================
function Invoke-TcpListeners($Op) {
    $services = @{}
    foreach ($s in (Read-Cim 'root\cimv2' 'Win32_Service' 'ProcessId <> 0')) { $services[[int]$s.ProcessId] = @($services[[int]$s.ProcessId]) + @($s.Name) | Where-Object { $_ } }
    $names = @{}
    return @{ value = @(foreach ($c in (Read-TcpListeners ([int]$Op.port))) {
                $owner = [int]$c.owningProcess
                if (-not $names.ContainsKey($owner)) { $names[$owner] = Read-ProcessName $owner }
                [ordered]@{ localAddress = $c.localAddress; localPort = [int]$c.localPort; owningProcess = $owner; processName = $names[$owner]; services = @($services[$owner] | Where-Object { $_ }) }
            }) }
}

function Invoke-IpAddresses($Op) {
    return @{ value = @(foreach ($a in (Read-IpAddresses)) { $family = 'IPv4'; if ($a.family -eq 'IPv6') { $family = 'IPv6' }; [ordered]@{ address = $a.address; family = $family; prefixLength = [int]$a.prefixLength; interfaceAlias = $a.interfaceAlias } }) }
}

function Invoke-EventsQuery($Op) {
    Send-Frames; $all = @(foreach ($xpath in @($Op.xpaths)) {
            $left = [int]($Budget - $Clock.Elapsed.TotalSeconds)
            if ($left -lt 1) { Throw-OpError 'Timeout' "not run: the plan's $Budget s budget was spent" $null }
            foreach ($e in (Read-Events $Op.log $xpath ([int]$Op.max) ([Math]::Min($EventTimeout, $left)))) { $e }
        })
    $sorted = @($all | Where-Object { $_ } | Sort-Object -Property @{ Expression = { $_.timeCreated }; Descending = $true } | Select-Object -First ([int]$Op.max))
    return @{ value = @(foreach ($e in $sorted) { [ordered]@{ log = $e.log; provider = $e.provider; id = [int]$e.id; level = [int]$e.level; timeCreated = $e.timeCreated; properties = @($e.properties | ForEach-Object { [string]$_ }) } }) }
}

function Invoke-OsInfo($Op) {
    $os = (Read-Cim 'root\cimv2' 'Win32_OperatingSystem' '')[0]
    $cs = (Read-Cim 'root\cimv2' 'Win32_ComputerSystem' '')[0]
    $cv = 'HKLM:\SOFTWARE\Microsoft\Windows NT\CurrentVersion'
    $domain = $null; if ($cs.PartOfDomain) { $domain = Get-OrNull $cs.Domain }
    return @{ value = [ordered]@{ computerName = (Get-HostName); domain = $domain; partOfDomain = [bool]$cs.PartOfDomain; caption = [string]$os.Caption; version = [string]$os.Version
            buildNumber = [string]$os.BuildNumber; editionId = [string](Get-RegState $cv 'EditionID').data; productType = [int]$os.ProductType
            installationType = (Get-OrNull (Get-RegState $cv 'InstallationType').data); machineGuid = (Get-OrNull (Get-RegState 'HKLM:\SOFTWARE\Microsoft\Cryptography' 'MachineGuid').data)
            lastBootUpTime = (Get-OrNull $os.LastBootUpTime); utcNow = (Get-UtcNow) } }
}

function Invoke-RdpSessions($Op) {
    return @{ value = @(foreach ($s in (Read-RdpSessions)) { [ordered]@{ id = [int]$s.id; winStation = [string]$s.winStation; user = (Get-OrNull $s.user); state = [int]$s.state; clientName = (Get-OrNull $s.clientName) } }) }
}

# ================= the revert task =================
# The task's script: the registry primitives it needs and the revert logic, nothing else.
function Get-RevertScript {
    $parts = @('param([string]$Name)', '$ErrorActionPreference = ''Stop''')
    foreach ($f in @('ConvertTo-PlainData', 'Open-RegKey', 'Read-RegKey', 'Write-RegValue', 'Remove-RegValue', 'Read-RevertData', 'Write-RevertResult', 'Test-RevertTask', 'Unregister-RevertTask')) {
        $def = Get-Item -LiteralPath "function:$f" -ErrorAction SilentlyContinue
        if ($def) { $parts += "function $f {`n$($def.ScriptBlock)`n}" }
    }
    return (($parts + $RevertLogic) -join "`n")
}

function Assert-TaskName([string]$Name) { if ($Name -notmatch '^[A-Za-z0-9._-]{1,64}$') { Throw-OpError 'InvalidArgument' "invalid task name $Name" $null } }

# task.scheduleRevert and task.cancel: whether the task existed before and after.
function Invoke-Task($Op) {
    Assert-TaskName $Op.name
    $existed = [bool](Test-RevertTask $Op.name)
    if ($CheckMode) { return @{ previous = [ordered]@{ existed = $existed }; value = (Get-Predicted $Op) } }
    if ($Op.op -eq 'task.cancel') { Unregister-RevertTask $Op.name }
    else { Register-RevertTask $Op.name ([int]$Op.afterMinutes) (Get-RevertScript) (ConvertTo-Json -InputObject @($Op.restore) -Depth 8 -Compress) }
    return @{ previous = [ordered]@{ existed = $existed }; value = [ordered]@{ existed = [bool](Test-RevertTask $Op.name) } }
}

# ================= check mode =================
# What a write would leave, for check mode (the same shapes a real run returns as value).
function Get-Predicted($Op) {
    switch ($Op.op) {
        'reg.set' { return [ordered]@{ path = $Op.path; name = $Op.name; exists = $true; kind = $Op.kind; data = $Op.data } }
        'reg.delete' { return [ordered]@{ path = $Op.path; name = $Op.name; exists = $false; kind = $null; data = $null } }
        'service.control' { if ($Op.action -eq 'start') { return [ordered]@{ state = 'Running' } }; return [ordered]@{ state = 'Stopped' } }
        'service.startType' { return [ordered]@{ startType = $Op.startType } }
        'fw.enable' { $h = [ordered]@{}; foreach ($n in @($Op.names)) { $h[$n] = [bool]$Op.enabled }; return $h }
        'group.add' { return [ordered]@{ wasMember = $true } }
        'group.remove' { return [ordered]@{ wasMember = $false } }
        'cim.invoke' { return [ordered]@{ returnValue = $null } }
        'task.scheduleRevert' { return [ordered]@{ existed = $true } }
        'task.cancel' { return [ordered]@{ existed = $false } }
    }
    return $null
}

# The objects a write targets: a later write to one of them in check mode is predicted, not checked.
function Get-TargetKeys($Op) {
    switch ($Op.op) {
        { $_ -in 'reg.set', 'reg.delete' } { return @('reg:' + $Op.path.ToLowerInvariant() + '\' + $Op.name.ToLowerInvariant()) }
        'service.control' { return @('svc-state:' + $Op.name.ToLowerInvariant()) }
        'service.startType' { return @('svc-start:' + $Op.name.ToLowerInvariant()) }
        'fw.enable' { return @(foreach ($n in @($Op.names)) { 'fw:' + $n.ToLowerInvariant() }) }
        { $_ -in 'cert.move', 'cert.remove' } { return @('cert:' + ($Op.thumbprint -replace '[^0-9A-Fa-f]', '').ToUpperInvariant()) }
        { $_ -in 'group.add', 'group.remove' } { return @('grp:' + $Op.groupSid.ToUpperInvariant() + '|' + $Op.member.ToLowerInvariant()) }
        'cim.invoke' { return @('cim:' + $Op.namespace.ToLowerInvariant() + '|' + $Op.className.ToLowerInvariant() + '|' + ([string]$Op.filter).ToLowerInvariant()) }
        { $_ -in 'task.scheduleRevert', 'task.cancel' } { return @('task:' + $Op.name.ToLowerInvariant()) }
    }
    return @()
}

# ================= dispatch =================
# region dispatch (one entry per operation of src/host/operations.ts; the tests compare both)
$Handlers = @{
    'reg.value' = 'Invoke-RegValue'; 'reg.key' = 'Invoke-RegKey'; 'service.get' = 'Invoke-ServiceGet'; 'cim.query' = 'Invoke-CimQuery'
    'cert.list' = 'Invoke-CertList'; 'fw.rules' = 'Invoke-FwRules'; 'fw.profiles' = 'Invoke-FwProfiles'; 'group.members' = 'Invoke-GroupMembers'
    'tcp.listeners' = 'Invoke-TcpListeners'; 'ip.addresses' = 'Invoke-IpAddresses'; 'events.query' = 'Invoke-EventsQuery'; 'file.acl' = 'Invoke-FileAcl'
    'os.info' = 'Invoke-OsInfo'; 'rdp.sessions' = 'Invoke-RdpSessions'; 'reg.set' = 'Invoke-RegWrite'; 'reg.delete' = 'Invoke-RegWrite'
    'service.control' = 'Invoke-ServiceControl'; 'service.startType' = 'Invoke-ServiceStartType'; 'fw.enable' = 'Invoke-FwEnable'; 'cert.remove' = 'Invoke-CertRemove'
    'cert.move' = 'Invoke-CertMove'; 'group.add' = { Invoke-GroupChange $args[0] $true }; 'group.remove' = { Invoke-GroupChange $args[0] $false }
    'cim.invoke' = 'Invoke-CimInvoke'; 'task.scheduleRevert' = 'Invoke-Task'; 'task.cancel' = 'Invoke-Task'
}
# endregion dispatch

function Invoke-Operation($Op) {
    $result = [ordered]@{ id = [string]$Op.id; ok = $false }; $started = $Clock.ElapsedMilliseconds
    try {
        if (-not $Handlers.ContainsKey([string]$Op.op)) { Throw-OpError 'NotSupported' "operation $($Op.op) is not known to runtime $RuntimeVersion" $null }
        if ($Clock.Elapsed.TotalSeconds -ge $Budget) { Throw-OpError 'Timeout' "not run: the plan's $Budget s budget was spent" $null }
        $keys = Get-TargetKeys $Op
        if ($CheckMode -and $keys.Count -gt 0 -and @($keys | Where-Object { -not $Touched.ContainsKey($_) }).Count -eq 0) {
            $r = @{ value = (Get-Predicted $Op) }
        }
        else {
            # A handler returns one hashtable; anything else that slipped into the pipeline is ignored.
            $r = @(& $Handlers[[string]$Op.op] $Op | Where-Object { $_ -is [hashtable] -and ($_.ContainsKey('value') -or $_.ContainsKey('previous')) })[-1]
        }
        foreach ($k in $keys) { $Touched[$k] = $true }
        # Stop() stops running dependents too: a later start of one meets the stop's prediction.
        if ($CheckMode -and $Op.op -eq 'service.control' -and $Op.action -eq 'stop' -and (Get-ServiceStatus $Op.name) -eq 'Running') {
            foreach ($d in (Read-RunningDependents $Op.name)) { $Touched['svc-state:' + $d.ToLowerInvariant()] = $true }
        }
        $result.ok = $true; $result.value = $r.value
        if ($r.ContainsKey('previous')) { $result.previous = $r.previous }
    }
    catch { $result.ok = $false; $result.error = ConvertTo-OpError $_ }
    $result.ms = [int]($Clock.ElapsedMilliseconds - $started)
    return $result
}

# ================= the plan =================
# PowerShell 7 turns ISO date strings into DateTime; 5.1 keeps them strings, and so must 7.
$JsonOptions = @{}; if ((Get-Command ConvertFrom-Json).Parameters.ContainsKey('DateKind')) { $JsonOptions['DateKind'] = 'String' }
$Plan = ConvertFrom-Json -InputObject ([string]$args[0]) @JsonOptions
if ($null -eq $Plan -or $Plan.version -ne 2) { throw ("plan refused: version " + [string]$Plan.version + " is not known to runtime $RuntimeVersion") }
if (@('read', 'write') -notcontains $Plan.mode) { throw ("plan refused: unknown mode " + [string]$Plan.mode) }
$Ops = @($Plan.ops)
if ($Plan.mode -eq 'read') { foreach ($op in $Ops) { if ($WriteOps -contains $op.op) { throw "plan refused: write operation $($op.op) ($($op.id)) in a read plan" } } }
$CheckMode = ($Plan.mode -eq 'write' -and [bool]$Plan.check)
$CimTimeout = 15; $EventTimeout = 15; $Budget = 90; $Touched = @{}
if ($Plan.limits) { $CimTimeout = [int]$Plan.limits.cimTimeoutSec; $EventTimeout = [int]$Plan.limits.eventTimeoutSec; $Budget = [int]$Plan.limits.budgetSec }

Write-Frame 'BEGIN' ([ordered]@{ runtime = $RuntimeVersion; host = (Get-HostName); startedAt = (Get-UtcNow); check = $CheckMode; count = $Ops.Count })
$failed = $null
foreach ($op in $Ops) {
    if ($null -ne $failed) { $r = [ordered]@{ id = [string]$op.id; ok = $false; error = [ordered]@{ code = 'NotRun'; message = "not run: $failed failed first" } } }
    else {
        $r = Invoke-Operation $op
        if ($Plan.mode -eq 'write' -and -not $r.ok) { $failed = [string]$op.id }
    }
    Write-Frame 'OP' $r
}
Write-Frame 'END' ([ordered]@{ elapsedMs = [int]$Clock.ElapsedMilliseconds })
# endregion engine
