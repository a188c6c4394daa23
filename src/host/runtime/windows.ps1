# region primitives
# Windows primitives: the only code of the runtime that calls Windows APIs (registry, service
# control manager, CIM, certificate stores, firewall cmdlets, ADSI, event log, WTS, task scheduler).
# Each one reads or changes one thing and hands back plain data; decisions live in the engine
# (engine.ps1), which the tests execute under pwsh with lab primitives in place of these.
# "Not found" comes back as $null or an empty list; every other failure throws.

function ConvertTo-IsoUtc($Date) {
    if ($null -eq $Date) { return $null }
    return ([DateTime]$Date).ToUniversalTime().ToString('o', [Globalization.CultureInfo]::InvariantCulture)
}

# CIM/.NET values as JSON-safe data: dates ISO UTC, enums as names, bytes as lower-case hex.
function ConvertTo-PlainData($Value, [int]$Depth = 0) {
    if ($null -eq $Value) { return $null }
    if ($Depth -gt 5 -or $Value -is [string] -or $Value -is [char] -or $Value -is [enum]) { return [string]$Value }
    if ($Value -is [bool] -or $Value -is [ValueType] -and $Value -isnot [DateTime] -and $Value -isnot [TimeSpan]) { return $Value }
    if ($Value -is [DateTime]) { return (ConvertTo-IsoUtc $Value) }
    if ($Value -is [TimeSpan]) { return $Value.ToString('c', [Globalization.CultureInfo]::InvariantCulture) }
    if ($Value -is [byte[]]) { return ([BitConverter]::ToString($Value)).Replace('-', '').ToLowerInvariant() }
    if ($Value.PSObject.TypeNames -contains 'Microsoft.Management.Infrastructure.CimInstance') {
        $h = [ordered]@{}
        foreach ($p in $Value.CimInstanceProperties) { $h[[string]$p.Name] = ConvertTo-PlainData $p.Value ($Depth + 1) }
        return $h
    }
    if ($Value -is [Collections.IEnumerable]) { return , @(foreach ($i in $Value) { ConvertTo-PlainData $i ($Depth + 1) }) }
    return [string]$Value
}

# ---------- registry (always the 64-bit view) ----------
function Open-RegKey([string]$Path, [bool]$Writable, [bool]$Create) {
    $m = [regex]::Match($Path, '^(HKLM|HKU):\\(.*)$', 'IgnoreCase')
    $hive = 'LocalMachine'; if ($m.Groups[1].Value -eq 'HKU') { $hive = 'Users' }
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey($hive, [Microsoft.Win32.RegistryView]::Registry64)
    $sub = $m.Groups[2].Value.TrimEnd('\')
    if ($sub.Length -eq 0) { return $base }
    if ($Create) { return $base.CreateSubKey($sub) }
    return $base.OpenSubKey($sub, $Writable)
}

# { values: [{name, kind, data, supported}], subkeys } or $null. DWord/QWord unsigned; Binary hex.
function Read-RegKey([string]$Path) {
    $key = Open-RegKey $Path $false $false
    if ($null -eq $key) { return $null }
    try {
        $values = foreach ($n in $key.GetValueNames()) {
            $kind = $key.GetValueKind($n).ToString()
            $raw = $key.GetValue($n, $null, 'DoNotExpandEnvironmentNames')
            $data = $raw
            if ($kind -eq 'DWord') { $data = [BitConverter]::ToUInt32([BitConverter]::GetBytes([int]$raw), 0) }
            elseif ($kind -eq 'QWord') { $data = [BitConverter]::ToUInt64([BitConverter]::GetBytes([long]$raw), 0) }
            elseif ($kind -eq 'MultiString') { $data = @($raw) }
            elseif ($kind -ne 'String' -and $kind -ne 'ExpandString') { $data = ConvertTo-PlainData ([byte[]]$raw) }
            [ordered]@{ name = [string]$n; kind = $kind; data = $data; supported = @('Unknown', 'None') -notcontains $kind }
        }
        return [ordered]@{ values = @($values); subkeys = @($key.GetSubKeyNames()) }
    }
    finally { $key.Close() }
}

function Write-RegValue([string]$Path, [string]$Name, [string]$Kind, $Data) {
    $value = $Data
    if ($Kind -eq 'DWord') { $value = [BitConverter]::ToInt32([BitConverter]::GetBytes([uint32]$Data), 0) }
    elseif ($Kind -eq 'QWord') { $value = [BitConverter]::ToInt64([BitConverter]::GetBytes([uint64]$Data), 0) }
    elseif ($Kind -eq 'MultiString') { $value = [string[]]@($Data) }
    elseif ($Kind -eq 'Binary') { $value = [byte[]]@(for ($i = 0; $i -lt $Data.Length; $i += 2) { [Convert]::ToByte($Data.Substring($i, 2), 16) }) }
    $key = Open-RegKey $Path $true $true
    try { $key.SetValue($Name, $value, [Microsoft.Win32.RegistryValueKind]$Kind) } finally { $key.Close() }
}

function Remove-RegValue([string]$Path, [string]$Name) {
    $key = Open-RegKey $Path $true $false; if ($null -ne $key) { try { $key.DeleteValue($Name, $false) } finally { $key.Close() } }
}

# ---------- CIM (every call bounded) ----------
function Read-CimInstances([string]$Namespace, [string]$Class, [string]$Filter, [int]$TimeoutSec) {
    $p = @{ Namespace = $Namespace; ClassName = $Class; OperationTimeoutSec = $TimeoutSec }
    if ($Filter) { $p['Filter'] = $Filter }
    return , @(foreach ($i in @(Get-CimInstance @p)) { ConvertTo-PlainData $i })
}

# ReturnValue of the method on the one instance the filter names ($null when the method returns none).
function Invoke-CimMethodOn([string]$Namespace, [string]$Class, [string]$Filter, [string]$Method, $Arguments, [int]$TimeoutSec) {
    $p = @{ Namespace = $Namespace; ClassName = $Class; OperationTimeoutSec = $TimeoutSec }
    if ($Filter) { $p['Filter'] = $Filter }
    $args2 = @{}; foreach ($k in $Arguments.Keys) { $args2[$k] = $Arguments[$k] }
    $r = Invoke-CimMethod -InputObject @(Get-CimInstance @p)[0] -MethodName $Method -Arguments $args2 -OperationTimeoutSec $TimeoutSec
    if ($null -eq $r -or $null -eq $r.ReturnValue) { return $null }
    return [long]$r.ReturnValue
}

# ---------- services ----------
# ServiceController status name ('Running', 'StopPending', ...); $null when there is no such service.
function Get-ServiceStatus([string]$Name) {
    $s = Get-Service -Name $Name -ErrorAction SilentlyContinue -ErrorVariable e
    if ($null -eq $s -and $e.Count -gt 0 -and $e[0].CategoryInfo.Category -ne 'ObjectNotFound') { throw $e[0] }
    if ($null -eq $s) { return $null }
    return [string]$s.Status
}

# Stop() stops running dependents first, as Windows does; the engine starts them again when asked.
function Send-ServiceControl([string]$Name, [string]$Action) {
    $s = Get-Service -Name $Name
    if ($Action -eq 'start') { $s.Start() } else { $s.Stop() }
}

# Running services that depend on this one, directly or not (what Stop() stops first).
function Read-RunningDependents([string]$Name) { return , @((Get-Service -Name $Name).DependentServices | Where-Object { $_.Status -eq 'Running' } | ForEach-Object { $_.ServiceName }) }

# The status reached, or the current one when the time ran out.
function Wait-ServiceState([string]$Name, [string]$Status, [int]$Seconds) {
    $s = Get-Service -Name $Name
    try { $s.WaitForStatus($Status, [TimeSpan]::FromSeconds($Seconds)) } catch [System.ServiceProcess.TimeoutException] { }
    $s.Refresh()
    return [string]$s.Status
}

function Set-ServiceStartMode([string]$Name, [string]$Mode, [int]$TimeoutSec) {
    return Invoke-CimMethodOn 'root\cimv2' 'Win32_Service' ("Name='" + $Name.Replace("'", "\'") + "'") 'ChangeStartMode' @{ StartMode = $Mode } $TimeoutSec
}

# ---------- certificates (LocalMachine stores) ----------
function Open-CertStore([string]$Name, [string]$Mode) {
    $store = New-Object Security.Cryptography.X509Certificates.X509Store($Name, 'LocalMachine')
    $store.Open($Mode)
    return $store
}

# [{ der, hasPrivateKey, keyContainer }] or $null when the store does not exist. The key container
# name comes from opening the key as we run (Administrators); $null when that is not allowed.
function Read-StoreCertificates([string]$Store) {
    try { $s = Open-CertStore $Store 'ReadOnly, OpenExistingOnly' }
    catch { if ($_.Exception.InnerException.HResult -eq -2147024894 -or $_.Exception.HResult -eq -2147024894) { return $null }; throw }
    try {
        return , @(foreach ($c in $s.Certificates) {
                $container = $null
                if ($c.HasPrivateKey) {
                    try {
                        $k = [Security.Cryptography.X509Certificates.RSACertificateExtensions]::GetRSAPrivateKey($c)
                        if ($null -eq $k) { $k = [Security.Cryptography.X509Certificates.ECDsaCertificateExtensions]::GetECDsaPrivateKey($c) }
                        if ($k.Key) { $container = $k.Key.UniqueName } elseif ($k.CspKeyContainerInfo) { $container = $k.CspKeyContainerInfo.UniqueKeyContainerName }
                        $k.Dispose()
                    }
                    catch { }
                }
                [ordered]@{ der = [Convert]::ToBase64String($c.RawData); hasPrivateKey = $c.HasPrivateKey; keyContainer = $container }
            })
    }
    finally { $s.Close() }
}

function Find-StoreCertificate($Store, [string]$Thumbprint) {
    foreach ($c in $Store.Certificates) { if ($c.Thumbprint -eq $Thumbprint) { return $c } }
    throw (New-Object Management.Automation.ItemNotFoundException("certificate $Thumbprint is not in that store"))
}

function Remove-StoreCertificate([string]$Store, [string]$Thumbprint) {
    $s = Open-CertStore $Store 'ReadWrite, OpenExistingOnly'
    try { $s.Remove((Find-StoreCertificate $s $Thumbprint)) } finally { $s.Close() }
}

# Adds the store's own context (keeps the key association), checks it, then removes the source.
function Move-StoreCertificate([string]$From, [string]$To, [string]$Thumbprint) {
    $src = Open-CertStore $From 'ReadWrite, OpenExistingOnly'; $dst = Open-CertStore $To 'ReadWrite'
    try {
        $cert = Find-StoreCertificate $src $Thumbprint
        $dst.Add($cert)
        $copy = Find-StoreCertificate $dst $Thumbprint
        if ($copy.HasPrivateKey -ne $cert.HasPrivateKey) { $dst.Remove($copy); throw "certificate $Thumbprint lost its key association when copied to $To; nothing was moved" }
        $src.Remove($cert)
    }
    finally { $src.Close(); $dst.Close() }
}

# ---------- files ----------
# { ownerSid, access: [{sid, rights, type, inherited}] } or $null when the path does not exist.
function Read-FileAcl([string]$Path) {
    try { $acl = Get-Acl -LiteralPath ([Environment]::ExpandEnvironmentVariables($Path)) }
    catch [Management.Automation.ItemNotFoundException] { return $null }
    $sid = [Security.Principal.SecurityIdentifier]
    $access = foreach ($r in $acl.GetAccessRules($true, $true, $sid)) {
        [ordered]@{ sid = $r.IdentityReference.Value; rights = [BitConverter]::ToUInt32([BitConverter]::GetBytes([int]$r.FileSystemRights), 0); type = [string]$r.AccessControlType; inherited = $r.IsInherited }
    }
    return [ordered]@{ ownerSid = $acl.GetOwner($sid).Value; access = @($access) }
}

# ---------- firewall (NetSecurity; the active store unless named) ----------
function ConvertTo-FirewallRuleInfo($Rule) {
    $pf = $Rule | Get-NetFirewallPortFilter
    $af = $Rule | Get-NetFirewallAddressFilter
    $flags = [int]$Rule.Profile
    $profiles = @(@('Domain', 1), @('Private', 2), @('Public', 4) | Where-Object { $flags -ne 0 -and $flags -ne 7 -and ($flags -band $_[1]) } | ForEach-Object { $_[0] })
    return [ordered]@{
        name = [string]$Rule.Name; group = $Rule.Group; enabled = ([string]$Rule.Enabled -eq 'True')
        direction = [string]$Rule.Direction; action = [string]$Rule.Action; profiles = $profiles
        protocol = $pf.Protocol; localPorts = @($pf.LocalPort | ForEach-Object { [string]$_ }); remoteAddresses = @($af.RemoteAddress | ForEach-Object { [string]$_ })
        policyStoreSourceType = [string]$Rule.PolicyStoreSourceType
    }
}

# Rules selected by -Group, -Name or (with neither) every rule; none found is an empty list.
function Read-FirewallRules([string]$Group, [string]$Name) {
    $p = @{ PolicyStore = 'ActiveStore' }
    if ($Group) { $p['Group'] = $Group } elseif ($Name) { $p['Name'] = $Name }
    try { $rules = @(Get-NetFirewallRule @p) } catch { if ($_.CategoryInfo.Category -eq 'ObjectNotFound') { return , @() }; throw }
    return , @(foreach ($r in $rules) { ConvertTo-FirewallRuleInfo $r })
}

# Inbound rules with a TCP port filter (the engine picks those that cover a port).
function Read-FirewallTcpPortRules {
    $filters = @(Get-NetFirewallPortFilter -PolicyStore ActiveStore -Protocol TCP)
    return , @(foreach ($r in @($filters | Get-NetFirewallRule -Direction Inbound)) { ConvertTo-FirewallRuleInfo $r })
}

# Enabled state of each named rule in the local (persistent) store; throws NotFound for a missing one.
function Read-FirewallRuleEnabled([string]$Name) {
    return ([string](Get-NetFirewallRule -PolicyStore PersistentStore -Name $Name).Enabled -eq 'True')
}

function Set-FirewallRulesEnabled([string[]]$Names, [bool]$Enabled) {
    if ($Enabled) { Enable-NetFirewallRule -PolicyStore PersistentStore -Name $Names } else { Disable-NetFirewallRule -PolicyStore PersistentStore -Name $Names }
}

function Read-FirewallProfiles {
    return , @(foreach ($p in @(Get-NetFirewallProfile -PolicyStore ActiveStore)) {
            [ordered]@{ name = [string]$p.Name; enabled = [string]$p.Enabled; defaultInboundAction = [string]$p.DefaultInboundAction
                allowInboundRules = [string]$p.AllowInboundRules; allowLocalFirewallRules = [string]$p.AllowLocalFirewallRules }
        })
}

# NetworkCategory of each connected interface ('DomainAuthenticated', 'Private', 'Public').
function Read-NetworkCategories { return , @(foreach ($c in @(Get-NetConnectionProfile)) { [string]$c.NetworkCategory }) }

# ---------- local groups (ADSI WinNT works on 2012 R2 and with orphaned or Azure AD members) ----------
function Open-LocalGroup([string]$GroupSid) {
    $name = (New-Object Security.Principal.SecurityIdentifier($GroupSid)).Translate([Security.Principal.NTAccount]).Value.Split('\')[-1]
    return [ADSI]('WinNT://./' + $name + ',group')
}

# { machineSid, members: [{sid, name, objectClass, principalSource}] }; principalSource $null when unknown.
function Read-LocalGroupMembers([string]$GroupSid) {
    $sources = @{}
    try { foreach ($m in @(Get-LocalGroupMember -SID $GroupSid)) { $sources[$m.SID.Value] = [string]$m.PrincipalSource } } catch { }
    $machine = @(Get-CimInstance Win32_UserAccount -Filter 'LocalAccount=True' -OperationTimeoutSec 15 | Select-Object -First 1)
    $members = foreach ($m in @((Open-LocalGroup $GroupSid).psbase.Invoke('Members'))) {
        $t = $m.GetType()
        $sid = (New-Object Security.Principal.SecurityIdentifier([byte[]]$t.InvokeMember('objectSid', 'GetProperty', $null, $m, $null), 0)).Value
        $name = $null; try { $name = (New-Object Security.Principal.SecurityIdentifier($sid)).Translate([Security.Principal.NTAccount]).Value } catch { }
        [ordered]@{ sid = $sid; name = $name; objectClass = [string]$t.InvokeMember('Class', 'GetProperty', $null, $m, $null); principalSource = $sources[$sid] }
    }
    $machineSid = $null; if ($machine.Count) { $machineSid = (New-Object Security.Principal.SecurityIdentifier($machine[0].SID)).AccountDomainSid.Value }
    return [ordered]@{ machineSid = $machineSid; members = @($members) }
}

function Resolve-AccountSid([string]$Account) {
    return (New-Object Security.Principal.NTAccount($Account)).Translate([Security.Principal.SecurityIdentifier]).Value
}

function Add-LocalGroupMemberSid([string]$GroupSid, [string]$MemberSid) { (Open-LocalGroup $GroupSid).Add('WinNT://' + $MemberSid) | Out-Null }
function Remove-LocalGroupMemberSid([string]$GroupSid, [string]$MemberSid) { (Open-LocalGroup $GroupSid).Remove('WinNT://' + $MemberSid) | Out-Null }

# ---------- network ----------
function Read-TcpListeners([int]$Port) {
    $p = @{ State = 'Listen' }; if ($Port) { $p['LocalPort'] = $Port }
    try { $conns = @(Get-NetTCPConnection @p) } catch { if ($_.CategoryInfo.Category -eq 'ObjectNotFound') { return , @() }; throw }
    return , @(foreach ($c in $conns) { [ordered]@{ localAddress = [string]$c.LocalAddress; localPort = [int]$c.LocalPort; owningProcess = [int]$c.OwningProcess } })
}

function Read-ProcessName([int]$ProcessId) { $p = Get-Process -Id $ProcessId -ErrorAction SilentlyContinue; if ($p) { return $p.ProcessName }; return $null }

# Preferred addresses only: tentative, duplicate or deprecated ones do not answer clients.
function Read-IpAddresses {
    return , @(foreach ($a in @(Get-NetIPAddress -AddressState Preferred)) {
            [ordered]@{ address = [string]$a.IPAddress; family = [string]$a.AddressFamily; prefixLength = [int]$a.PrefixLength; interfaceAlias = [string]$a.InterfaceAlias }
        })
}

# ---------- events (EventLogReader: bounded by count and time, newest first) ----------
function Read-Events([string]$Log, [string]$XPath, [int]$Max, [int]$TimeoutSec) {
    $q = New-Object Diagnostics.Eventing.Reader.EventLogQuery($Log, 'LogName', $XPath)
    $q.ReverseDirection = $true
    try { $reader = New-Object Diagnostics.Eventing.Reader.EventLogReader($q) }
    catch [Diagnostics.Eventing.Reader.EventLogNotFoundException] { throw (New-Object Management.Automation.ItemNotFoundException("event log $Log does not exist")) }
    $clock = [Diagnostics.Stopwatch]::StartNew(); $list = New-Object Collections.Generic.List[object]
    try {
        while ($list.Count -lt $Max) {
            $left = [Math]::Max(0, $TimeoutSec * 1000 - $clock.ElapsedMilliseconds)
            if ($left -eq 0) { throw (New-Object TimeoutException("reading $Log took more than $TimeoutSec s")) }
            $e = $reader.ReadEvent([TimeSpan]::FromMilliseconds($left))
            if ($null -eq $e) { break }
            $props = @(foreach ($p in $e.Properties) { $v = $p.Value; if ($v -is [Security.Principal.SecurityIdentifier]) { $v.Value } elseif ($v -is [IFormattable] -and $v -isnot [DateTime]) { $v.ToString($null, [Globalization.CultureInfo]::InvariantCulture) } else { ConvertTo-PlainData $v } })
            $list.Add([ordered]@{ log = $e.LogName; provider = $e.ProviderName; id = $e.Id; level = [int]$e.Level; timeCreated = (ConvertTo-IsoUtc $e.TimeCreated); properties = $props })
            $e.Dispose()
        }
    }
    finally { $reader.Dispose() }
    return , $list.ToArray()
}

# ---------- sessions (WTS through a P/Invoke made with Reflection.Emit: no csc.exe, no temp files) ----------
function Get-WtsApi {
    if ($script:WtsApi) { return $script:WtsApi }
    $mod = [AppDomain]::CurrentDomain.DefineDynamicAssembly((New-Object Reflection.AssemblyName('RdpMedicWts')), 'Run').DefineDynamicModule('RdpMedicWts')
    $tb = $mod.DefineType('RdpMedicWts', 'Public, Class')
    $sigs = @(@('WTSEnumerateSessionsW', [bool], @([IntPtr], [int], [int], [IntPtr].MakeByRefType(), [int].MakeByRefType())),
        @('WTSQuerySessionInformationW', [bool], @([IntPtr], [int], [int], [IntPtr].MakeByRefType(), [int].MakeByRefType())),
        @('WTSFreeMemory', [void], @([IntPtr])))
    foreach ($s in $sigs) { $tb.DefinePInvokeMethod($s[0], 'wtsapi32.dll', 'Public, Static, PinvokeImpl', 'Standard', $s[1], [Type[]]$s[2], 'Winapi', 'Unicode').SetImplementationFlags('PreserveSig') }
    $script:WtsApi = $tb.CreateType()
    return $script:WtsApi
}

function Read-WtsString($Api, [int]$Id, [int]$Class) {
    $buf = [IntPtr]::Zero; $n = 0
    if (-not $Api::WTSQuerySessionInformationW([IntPtr]::Zero, $Id, $Class, [ref]$buf, [ref]$n)) { return $null }
    try { return [Runtime.InteropServices.Marshal]::PtrToStringUni($buf) } finally { $Api::WTSFreeMemory($buf) }
}

# [{id, winStation, user, state, clientName}]; state is WTS_CONNECTSTATE_CLASS (numbers are not translated).
function Read-RdpSessions {
    $api = Get-WtsApi; $info = [IntPtr]::Zero; $count = 0
    if (-not $api::WTSEnumerateSessionsW([IntPtr]::Zero, 0, 1, [ref]$info, [ref]$count)) { throw (New-Object ComponentModel.Win32Exception) }
    $size = 8 + 2 * [IntPtr]::Size  # WTS_SESSION_INFOW: int SessionId, LPWSTR pWinStationName, int State (padded)
    try {
        return , @(for ($i = 0; $i -lt $count; $i++) {
                $p = [IntPtr]($info.ToInt64() + $i * $size); $id = [Runtime.InteropServices.Marshal]::ReadInt32($p)
                $user = Read-WtsString $api $id 5; $domain = Read-WtsString $api $id 7
                if ($user -and $domain) { $user = $domain + '\' + $user } elseif (-not $user) { $user = $null }
                $client = Read-WtsString $api $id 10; if (-not $client) { $client = $null }
                [ordered]@{ id = $id; winStation = [Runtime.InteropServices.Marshal]::PtrToStringUni([Runtime.InteropServices.Marshal]::ReadIntPtr($p, [IntPtr]::Size))
                    user = $user; state = [Runtime.InteropServices.Marshal]::ReadInt32($p, 2 * [IntPtr]::Size); clientName = $client }
            })
    }
    finally { $api::WTSFreeMemory($info) }
}

# ---------- host ----------
function Get-HostName { return [string]$env:COMPUTERNAME }
function Get-UtcNow { return [DateTime]::UtcNow.ToString('o', [Globalization.CultureInfo]::InvariantCulture) }

# ---------- the revert task (one shot, as S-1-5-18; the SID resolves in every locale) ----------
# %ProgramData% lets users create folders: a folder someone else made, or a link, is refused.
function Initialize-RevertFolder {
    $dir = Join-Path $env:ProgramData 'rdp-medic'
    $sec = New-Object Security.AccessControl.DirectorySecurity
    $sec.SetAccessRuleProtection($true, $false)
    foreach ($sid in @('S-1-5-18', 'S-1-5-32-544')) {
        $sec.AddAccessRule((New-Object Security.AccessControl.FileSystemAccessRule((New-Object Security.Principal.SecurityIdentifier($sid)), 'FullControl', 'ContainerInherit, ObjectInherit', 'None', 'Allow')))
    }
    if (Test-Path -LiteralPath $dir) {
        $item = Get-Item -LiteralPath $dir -Force
        $owner = (Get-Acl -LiteralPath $dir).GetOwner([Security.Principal.SecurityIdentifier]).Value
        if (($item.Attributes -band 'ReparsePoint') -or -not $item.PSIsContainer -or @('S-1-5-18', 'S-1-5-32-544', [Security.Principal.WindowsIdentity]::GetCurrent().User.Value) -notcontains $owner) {
            throw (New-Object UnauthorizedAccessException("$dir is a link, a file or owned by $owner; refusing to use it"))
        }
        [IO.Directory]::SetAccessControl($dir, $sec)
    }
    else { [IO.Directory]::CreateDirectory($dir, $sec) | Out-Null }
    return $dir
}

function Test-RevertTask([string]$Name) { return ($null -ne (Get-ScheduledTask -TaskPath '\rdp-medic\' -TaskName $Name -ErrorAction SilentlyContinue)) }

# Writes the script and its data into the restricted folder and registers the one-shot task.
function Register-RevertTask([string]$Name, [int]$AfterMinutes, [string]$Script, [string]$DataJson) {
    $dir = Initialize-RevertFolder
    $file = Join-Path $dir ("revert-$Name.ps1")
    [IO.File]::WriteAllText($file, $Script, (New-Object Text.UTF8Encoding($false)))
    [IO.File]::WriteAllText((Join-Path $dir ("revert-$Name.json")), $DataJson, (New-Object Text.UTF8Encoding($false)))
    $exe = Join-Path $env:SystemRoot 'System32\WindowsPowerShell\v1.0\powershell.exe'
    $action = New-ScheduledTaskAction -Execute $exe -Argument ("-NoProfile -NonInteractive -ExecutionPolicy Bypass -File `"$file`" -Name $Name")
    $trigger = New-ScheduledTaskTrigger -Once -At ((Get-Date).AddMinutes($AfterMinutes))
    $principal = New-ScheduledTaskPrincipal -UserId 'S-1-5-18' -LogonType ServiceAccount -RunLevel Highest
    # StartWhenAvailable: a revert missed while the host was off runs after the reboot.
    $settings = New-ScheduledTaskSettingsSet -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries -StartWhenAvailable -ExecutionTimeLimit (New-TimeSpan -Minutes 10)
    Register-ScheduledTask -TaskPath '\rdp-medic\' -TaskName $Name -Action $action -Trigger $trigger -Principal $principal -Settings $settings -Force | Out-Null
}

function Read-RevertData([string]$Name) {
    return , @([IO.File]::ReadAllText((Join-Path $env:ProgramData "rdp-medic\revert-$Name.json")) | ConvertFrom-Json)
}

function Write-RevertResult([string]$Name, [string]$Json) {
    [IO.File]::WriteAllText((Join-Path $env:ProgramData "rdp-medic\revert-$Name.result.json"), $Json, (New-Object Text.UTF8Encoding($false)))
}

function Unregister-RevertTask([string]$Name) {
    if (Test-RevertTask $Name) { Unregister-ScheduledTask -TaskPath '\rdp-medic\' -TaskName $Name -Confirm:$false }
    foreach ($ext in @('.ps1', '.json')) { Remove-Item -LiteralPath (Join-Path $env:ProgramData "rdp-medic\revert-$Name$ext") -Force -ErrorAction SilentlyContinue }
}
# endregion primitives
