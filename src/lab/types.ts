// Seams inside the lab: the WS-Man server (lab/wsman) runs commands on a simulated host
// (lab/model), whose state also drives the RDP listener (lab/rdp).

export interface ProcessResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

/** A started command. The WS-Man server feeds it stdin and streams its output back in chunks. */
export interface LabProcess {
  /** True when the process reads stdin to its end before producing output (the runtime bootstrap). */
  readonly readsStdin: boolean;
  /**
   * `stream`, when given, may receive output as it is produced (the result then holds only what was not
   * streamed); `signal` aborts when the command is terminated or its shell deleted (the process is killed).
   */
  run(stdin: Buffer, stream?: (name: 'stdout' | 'stderr', data: Buffer) => void, signal?: AbortSignal): Promise<ProcessResult>;
}

/** Per-host fault injection, changeable while the lab runs. */
export interface FaultInjection {
  /** Added to every WS-Man response (and RDP accept), plus uniform jitter in [0, jitterMs]. */
  latencyMs: number;
  jitterMs: number;
  /** Accept requests and never answer them. */
  hang: boolean;
  /** Destroy the TCP connection on the next request. */
  reset: boolean;
  /** Answer every request with HTTP 500 and an InternalError fault. */
  http500: boolean;
}

/** What the WS-Man server needs from a simulated host. */
export interface WsmanHost {
  /** NetBIOS computer name, upper case (fault Machine=, whoami, hostname). */
  readonly computerName: string;
  readonly faults: FaultInjection;
  /** Local accounts: user name (case-insensitive) to password. */
  passwordFor(username: string): string | undefined;
  /** False when Allow Remote Shell Access is disabled by policy (every shell Create is refused). */
  allowsRemoteShell?(): boolean;
  /** A PowerShell script (decoded from -EncodedCommand) as powershell.exe would run it. */
  powershell(script: string): LabProcess;
}

/** Everything the simulated RDP listener needs to decide how to answer, derived from the host model. */
export interface RdpListenerState {
  /** TermService running and RDP enabled (effective, policy included) and the RDP-Tcp winstation enabled. */
  listening: boolean;
  /** The port TermService listens on (registry PortNumber); the lab maps it to a loopback port. */
  portNumber: number;
  /** The inbound firewall lets that port through (rules enabled, profile allows inbound). */
  firewallAllows: boolean;
  /** Effective SecurityLayer: 0 RDP, 1 Negotiate, 2 TLS. */
  securityLayer: 0 | 1 | 2;
  /** Effective UserAuthentication (NLA required). */
  nla: boolean;
  /** The certificate TermService presents, or null when it has none it can use. */
  certificate: { certPem: string; keyPem: string; keyReadable: boolean } | null;
  /** Schannel server protocols enabled. */
  tls: { tls10: boolean; tls11: boolean; tls12: boolean };
}
