// Result shapes of the bot-side probes. RdpProbeResult is a public contract: `rdp-medic probe --json` prints it as is.
import type { Socket } from 'node:net';
import type { ProtocolName } from './x224.ts';

export type RdpProbeStage = 'dns' | 'tcp' | 'x224' | 'tls' | 'done';

/** Selected protocol name; values outside the spec's table come back as `unknown(0x..)`. */
export type SelectedProtocol = ProtocolName | `unknown(${string})`;

export interface RdpProbeOptions {
  host: string;
  port: number;
  /** Name to check the certificate against (default: host). Sent as SNI only when it is a DNS name, never an IP literal. */
  servername?: string;
  /** requestedProtocols mask of the RDP_NEG_REQ; default 0x0B (SSL|HYBRID|HYBRID_EX), what modern clients offer. */
  requestedProtocols?: number;
  /** Budget for the whole probe, so also for each phase (default 5000). The polite TLS close is bounded separately (300 ms). */
  timeoutMs?: number;
  /** true keeps Node's default TLS client policy (TLS 1.2+, SECLEVEL 1): a legacy server then fails at the TLS stage. */
  strictTls?: boolean;
  signal?: AbortSignal;
  /** Test seam: opens the TCP connection (default net.connect). */
  connect?: ConnectFn;
}

export type ConnectFn = (opts: { host: string; port: number }) => Socket;

export interface ProbeError {
  code: string;
  message: string;
}

export interface TcpPhase {
  ok: boolean;
  ms: number | null;
  error: string | null;
}

export interface NegotiationResult {
  requested: string[];
  selected: SelectedProtocol | null;
  /** RDP_NEG_FAILURE name, e.g. 'SSL_REQUIRED_BY_SERVER'. */
  failure: string | null;
  failureCode: number | null;
  /** RDP_NEG_RSP flags; null when the server sent no RDP_NEG_RSP. */
  flags: number | null;
}

export interface TlsResult {
  /** 'TLSv1.3', 'TLSv1.2', 'TLSv1' ... */
  version: string;
  /** IANA standard name, e.g. TLS_AES_256_GCM_SHA384. */
  cipher: string;
  /** TLS 1.1 or older. */
  legacy: boolean;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  serialNumber: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  daysUntilExpiry: number;
  expired: boolean;
  notYetValid: boolean;
  /** subject === issuer and the certificate verifies with its own key (checkIssued misses certs without keyCertSign). */
  selfSigned: boolean;
  keyType: string | null;
  keySize: number | null;
  /** Upper-case hex with colons, as Node's fingerprint256. */
  sha256: string;
  /** Upper-case hex without colons, as Windows shows it (compare with SSLCertificateSHA1Hash). */
  sha1Thumbprint: string;
  nameMatches: boolean | null;
  nameMismatch: string | null;
}

export interface RdpProbeTimings {
  tcpConnect: number | null;
  x224: number | null;
  tlsHandshake: number | null;
  total: number;
}

export interface RdpProbeResult {
  target: { host: string; port: number };
  ok: boolean;
  stage: RdpProbeStage;
  error: ProbeError | null;
  tcp: TcpPhase;
  negotiation: NegotiationResult | null;
  tls: TlsResult | null;
  certificate: CertificateSummary | null;
  timingsMs: RdpProbeTimings;
}
