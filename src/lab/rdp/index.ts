// The lab's simulated RDP listener (X.224 negotiation + TLS), driven by the host model.
export { RdpListener, startRdpListener } from './listener.ts';
export type { RdpListenerOptions, StartRdpListenerOptions, RdpListenerStats, RdpConnectionOutcome, RdpOutcomeKind } from './listener.ts';
export { negotiate } from './negotiate.ts';
export type { NegotiationAnswer } from './negotiate.ts';
export { tlsPolicy } from './tls-policy.ts';
export type { TlsPolicy } from './tls-policy.ts';
