# region revert
# The time-boxed revert, run once by the task as S-1-5-18: each registry value goes back to what it
# was, but only while it still holds what the fix wrote (a value changed since is someone's decision).
$done = foreach ($r in @(Read-RevertData $Name)) {
    $key = Read-RegKey $r.path
    $v = $null; if ($null -ne $key) { $v = @(@($key.values) | Where-Object { $_.name -eq $r.name })[0] }
    $same = if ($null -eq $r.wrote) { $null -eq $v } else { $null -ne $v -and $v.kind -eq $r.wrote.kind -and (ConvertTo-Json -InputObject @($v.data) -Compress) -eq (ConvertTo-Json -InputObject @($r.wrote.data) -Compress) }
    $action = 'left'
    if ($same -and $r.previous.exists) { Write-RegValue $r.path $r.name $r.previous.kind $r.previous.data; $action = 'restored' }
    elseif ($same) { Remove-RegValue $r.path $r.name; $action = 'deleted' }
    [ordered]@{ path = $r.path; name = $r.name; action = $action }
}
Write-RevertResult $Name (ConvertTo-Json -InputObject @($done) -Compress)
Unregister-RevertTask $Name
# endregion revert
