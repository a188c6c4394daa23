// Public API of the bot-side probes.
export { probeRdp, DEFAULT_REQUESTED_PROTOCOLS, DEFAULT_TIMEOUT_MS } from './rdp-probe.ts';
export { probeTcp, sampleTcp, tcpStats } from './tcp-probe.ts';
export type { TcpProbeOptions, TcpProbeResult, TcpSampleOptions, TcpSampleResult, TcpState } from './tcp-probe.ts';
export { resolveName } from './dns-probe.ts';
export type { DnsResolution, ResolveOptions } from './dns-probe.ts';
export { compareAddresses, normalizeAddress } from './addresses.ts';
export type { AddressComparison, AddressVerdict, IpAddress } from './addresses.ts';
export { failureMeaning } from './explain.ts';
export { parseTarget } from './target.ts';
export type { ProbeTarget } from './target.ts';
export type {
  CertificateSummary,
  ConnectFn,
  NegotiationResult,
  ProbeError,
  RdpProbeOptions,
  RdpProbeResult,
  RdpProbeStage,
  RdpProbeTimings,
  SelectedProtocol,
  TcpPhase,
  TlsResult,
} from './types.ts';
export { formatProbeResult } from './format.ts';
