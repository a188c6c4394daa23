# One lab primitive, expanded for each name in primitives.ts (__NAME__): it asks the lab's primitive
# server to do the Windows part against the host model, and throws what Windows would throw.
function __NAME__ {
    $body = ConvertTo-Json -InputObject @{ primitive = '__NAME__'; args = @($args) } -Depth 20 -Compress
    $content = New-Object Net.Http.StringContent($body, [Text.Encoding]::UTF8, 'application/json')
    $content.Headers.Add('X-Lab-Token', $env:RDPMEDIC_LAB_TOKEN)
    if (-not $global:RdpMedicLabHttp) { $global:RdpMedicLabHttp = [Net.Http.HttpClient]::new() }
    $text = $global:RdpMedicLabHttp.PostAsync($env:RDPMEDIC_LAB_PRIMITIVES, $content).GetAwaiter().GetResult().Content.ReadAsStringAsync().GetAwaiter().GetResult()
    $reply = ConvertFrom-Json -InputObject $text -AsHashtable -NoEnumerate -DateKind String
    if ($reply.ok -and $reply.value -is [array]) { return , $reply.value }
    if ($reply.ok) { return $reply.value }
    $ex = switch ($reply.kind) {
        'NotFound' { New-Object Management.Automation.ItemNotFoundException($reply.message) }
        'AccessDenied' { New-Object UnauthorizedAccessException($reply.message) }
        'Timeout' { New-Object TimeoutException($reply.message) }
        'NotSupported' { New-Object PlatformNotSupportedException($reply.message) }
        default { New-Object Exception($reply.message) }
    }
    $category = @{ InvalidArgument = 'InvalidArgument' }[$reply.kind]; if (-not $category) { $category = 'NotSpecified' }
    throw (New-Object Management.Automation.ErrorRecord($ex, "Lab$($reply.kind)", $category, $null))
}
