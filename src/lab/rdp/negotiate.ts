// How the simulated TermService answers an X.224 Connection Request: MS-RDPBCGR 3.3.5.3.1 plus the
// SecurityLayer/UserAuthentication semantics of rdp-checks.md `sec-layer-nla`. Pure: state in, answer out.
import type { RdpListenerState } from '../types.ts';
import {
  HYBRID_REQUIRED_BY_SERVER,
  PROTOCOL_HYBRID,
  PROTOCOL_HYBRID_EX,
  PROTOCOL_RDP,
  PROTOCOL_SSL,
  SSL_CERT_NOT_ON_SERVER,
  SSL_NOT_ALLOWED_BY_SERVER,
  SSL_REQUIRED_BY_SERVER,
} from '../../rdp/probes/x224.ts';

export type NegotiationAnswer =
  /** RDP_NEG_RSP; a TLS handshake follows unless the protocol is PROTOCOL_RDP. */
  | { kind: 'select'; protocol: number }
  /** RDP_NEG_FAILURE, then the server closes (3.3.5.3.2). */
  | { kind: 'failure'; code: number }
  /** Client sent no RDP_NEG_REQ and Standard RDP Security is allowed: CC without negotiation data. */
  | { kind: 'legacy' }
  /** Client sent no RDP_NEG_REQ but the server requires TLS or NLA: close without a confirm. */
  | { kind: 'drop' };

type NegotiationState = Pick<RdpListenerState, 'securityLayer' | 'nla' | 'certificate'>;

/**
 * @param requested requestedProtocols from RDP_NEG_REQ, or undefined when the client sent none.
 * RDSTLS (0x4) and RDSAAD (0x10) are never selected: they belong to redirection / Azure AD
 * sign-in, which the lab does not model, so those bits are ignored like unknown ones.
 */
export function negotiate(state: NegotiationState, requested: number | undefined): NegotiationAnswer {
  const { securityLayer, nla } = state;
  if (requested === undefined) {
    // A pre-5.2 client can only do Standard RDP Security.
    return securityLayer === 0 || (securityLayer === 1 && !nla) ? { kind: 'legacy' } : { kind: 'drop' };
  }
  const ssl = (requested & PROTOCOL_SSL) !== 0;
  const hybridEx = (requested & PROTOCOL_HYBRID_EX) !== 0;
  const hybrid = hybridEx || (requested & PROTOCOL_HYBRID) !== 0;
  const bestHybrid = hybridEx ? PROTOCOL_HYBRID_EX : PROTOCOL_HYBRID;

  if (securityLayer === 0) {
    // RDP Security Layer only; NLA cannot run without TLS, so UserAuthentication is moot here.
    return ssl || hybrid ? { kind: 'failure', code: SSL_NOT_ALLOWED_BY_SERVER } : { kind: 'select', protocol: PROTOCOL_RDP };
  }
  // Every TLS-based selection needs a certificate the server has (whether its key is usable is
  // only discovered in the TLS handshake, which is where the classic 0x904/0x7 drop happens).
  const tlsBased = (protocol: number): NegotiationAnswer =>
    state.certificate ? { kind: 'select', protocol } : { kind: 'failure', code: SSL_CERT_NOT_ON_SERVER };

  if (nla) return hybrid ? tlsBased(bestHybrid) : { kind: 'failure', code: HYBRID_REQUIRED_BY_SERVER };
  if (ssl) return tlsBased(PROTOCOL_SSL);
  // NLA not required but allowed: a client offering only CredSSP gets CredSSP.
  if (hybrid) return tlsBased(bestHybrid);
  return securityLayer === 2 ? { kind: 'failure', code: SSL_REQUIRED_BY_SERVER } : { kind: 'select', protocol: PROTOCOL_RDP };
}
